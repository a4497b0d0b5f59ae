#pragma once
// One image of a Dataset (uint8, NCHW) as a QImage, and the words that describe it.
#include <QImage>
#include <QString>
#include <cstdint>

#include "data/Dataset.h"

namespace ddpm::ui {

// A deep copy: grey images are Format_Grayscale8, colour ones Format_RGB888.
// A null QImage for point datasets or an index out of range.
QImage datasetImage(const ddpm::Dataset& dataset, int64_t index);

// "7" (or the class name), "unlabelled" when the dataset has no labels.
QString className(const ddpm::Dataset& dataset, int64_t index);
// "train" or "held out".
QString splitName(const ddpm::Dataset& dataset, int64_t index);
// "#12 · class 7 · train": index, class and split on one line; the item's caption
// (an emoji's name) on a second line where the dataset has captions.
QString itemCaption(const ddpm::Dataset& dataset, int64_t index);

}  // namespace ddpm::ui
