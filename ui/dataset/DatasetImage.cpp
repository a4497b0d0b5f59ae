#include "dataset/DatasetImage.h"

#include <algorithm>

namespace ddpm::ui {

QImage datasetImage(const ddpm::Dataset& dataset, int64_t index) {
    if (dataset.isPoints() || index < 0 || index >= dataset.count) return {};
    const int w = dataset.width, h = dataset.height, c = dataset.channels;
    const uint8_t* src = dataset.image(index);
    const int64_t plane = int64_t(w) * h;
    if (c == 1) {
        QImage image(w, h, QImage::Format_Grayscale8);
        for (int y = 0; y < h; ++y) std::copy_n(src + int64_t(y) * w, w, image.scanLine(y));
        return image;
    }
    // Planar RGB (or more channels: the first three) to interleaved.
    QImage image(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const int64_t at = int64_t(y) * w + x;
            for (int k = 0; k < 3; ++k) line[3 * x + k] = src[std::min(k, c - 1) * plane + at];
        }
    }
    return image;
}

QString className(const ddpm::Dataset& dataset, int64_t index) {
    if (!dataset.hasLabels() || index < 0 || index >= int64_t(dataset.labels.size())) return QStringLiteral("unlabelled");
    const int32_t label = dataset.labels[size_t(index)];
    if (label >= 0 && label < dataset.numClasses()) return QString::fromStdString(dataset.classNames[size_t(label)]);
    return QString::number(label);
}

QString splitName(const ddpm::Dataset& dataset, int64_t index) {
    return index < dataset.trainCount ? QStringLiteral("train") : QStringLiteral("held out");
}

QString itemCaption(const ddpm::Dataset& dataset, int64_t index) {
    const QString cls = dataset.hasLabels() ? QStringLiteral("class %1").arg(className(dataset, index))
                                            : QStringLiteral("unlabelled");
    const QString caption = index >= 0 && index < int64_t(dataset.captions.size())
                                ? QStringLiteral("\n“%1”").arg(QString::fromStdString(dataset.captions[size_t(index)]))
                                : QString();
    return QStringLiteral("#%1 · %2 · %3%4").arg(QString::number(index), cls, splitName(dataset, index), caption);
}

}  // namespace ddpm::ui
