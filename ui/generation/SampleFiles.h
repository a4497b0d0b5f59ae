#pragma once
// Sample grids as pictures and PNG files that carry their generation
// parameters, and reading those parameters back from a dropped file.
#include <QImage>
#include <QList>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <string>

#include "sampling/SamplingParameters.h"

namespace ddpm::ui {

// The samples in a square-ish grid with `padding` black pixels around and between them.
QImage sampleGrid(const QList<QImage>& samples, int padding, int columns = 0);   // columns 0: about square
// Atomically; throws std::runtime_error naming the file and the reason.
void writeSamplePng(const QString& path, const QImage& picture, const std::map<std::string, std::string>& text);
// nullopt when the file is not a PNG or has no DDPM Studio text chunks; throws
// std::invalid_argument naming the key of a malformed value.
std::optional<ddpm::SamplingParameters> readSamplingParameters(const QString& path);
// The prompts of a grid drawn a row per prompt (its ddpm:prompts); empty for any other file.
QStringList readRowPrompts(const QString& path);

}  // namespace ddpm::ui
