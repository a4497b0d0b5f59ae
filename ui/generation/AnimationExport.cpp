#include "generation/AnimationExport.h"

#include <QPainter>
#include <algorithm>
#include <stdexcept>

#include "common/MatImage.h"
#include "image/Apng.h"
#include "image/ImageGrid.h"
#include "image/VideoFile.h"

namespace ddpm::ui {

namespace {

constexpr int kTargetHeight = 256;
constexpr int kCaptionHeight = 22;
constexpr int kGap = 8;
constexpr double kPointsReach = 3.5;   // toys: the square [-3.5, 3.5]² is drawn

QImage enlarged(const QImage& image) {
    if (image.isNull()) return image;
    const int factor = std::max(1, kTargetHeight / image.height());
    return image.scaled(image.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation);
}

QImage scatter(const QVector<QPointF>& points, const QColor& colour) {
    QImage image(kTargetHeight, kTargetHeight, QImage::Format_RGB888);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QColor(220, 220, 220));
    painter.drawLine(kTargetHeight / 2, 0, kTargetHeight / 2, kTargetHeight);
    painter.drawLine(0, kTargetHeight / 2, kTargetHeight, kTargetHeight / 2);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    const double scale = kTargetHeight / (2 * kPointsReach);
    for (const QPointF& p : points)
        painter.drawEllipse(QPointF((p.x() + kPointsReach) * scale, (kPointsReach - p.y()) * scale), 2.5, 2.5);
    return image;
}

// The panels of a frame: x_t, x̂0 (blank before the first step) and, with `attention`, where
// the image attends to the picked word (blank where the frame has no map: x_T).
QList<QImage> panels(const SamplingFrame& f, bool attention) {
    const bool points = f.xt.isNull();
    const QImage xt = points ? scatter(f.xtPoints, QColor(31, 119, 180)) : enlarged(f.xt);
    QList<QImage> out{xt, points ? scatter(f.x0Points, QColor(255, 127, 14)) : enlarged(f.x0)};
    if (attention) out.append(enlarged(f.attention));
    for (QImage& panel : out)
        if (panel.isNull()) {
            panel = QImage(xt.size(), QImage::Format_RGB888);
            panel.fill(QColor(32, 32, 32));
        }
    return out;
}

// A text model's trajectory with a word picked: every frame shows its attention too.
bool hasAttention(const QVector<SamplingFrame>& frames) {
    return std::any_of(frames.begin(), frames.end(), [](const SamplingFrame& f) { return !f.attention.isNull(); });
}

std::vector<cv::Mat> composeAll(const QVector<SamplingFrame>& frames) {
    const bool attention = hasAttention(frames);
    std::vector<cv::Mat> mats;
    mats.reserve(size_t(frames.size()));
    for (const SamplingFrame& f : frames) mats.push_back(toMat(composeFrame(f, attention)));
    return mats;
}

}  // namespace

QImage composeFrame(const SamplingFrame& frame, bool attention) {
    const QList<QImage> cells = panels(frame, attention);
    int width = -kGap, height = 0;
    for (const QImage& cell : cells) {
        width += cell.width() + kGap;
        height = std::max(height, cell.height());
    }
    QImage out(width, kCaptionHeight + height, QImage::Format_RGB888);
    out.fill(Qt::white);
    QPainter painter(&out);
    painter.setPen(Qt::black);
    const QString step = frame.index == 0 ? QStringLiteral("x_T: pure noise")
                                          : QStringLiteral("step %1/%2 · t = %3").arg(frame.index).arg(frame.total).arg(frame.t);
    const QStringList captions = {QStringLiteral("x_t · ") + step, QStringLiteral("predicted x̂0"),
                                  QStringLiteral("where it attends to the word")};
    for (int k = 0, left = 0; k < cells.size(); left += cells[k].width() + kGap, ++k) {
        painter.drawImage(left, kCaptionHeight, cells[k].convertToFormat(QImage::Format_RGB888));
        painter.drawText(QRect(left, 0, cells[k].width(), kCaptionHeight), Qt::AlignCenter, captions[k]);
    }
    return out;
}

void writeAnimation(const QString& path, AnimationFormat format, const QVector<SamplingFrame>& frames,
                    int framesPerSecond) {
    if (frames.isEmpty()) throw std::runtime_error(path.toStdString() + ": there is no trajectory to export yet");
    const std::vector<cv::Mat> mats = composeAll(frames);
    if (format == AnimationFormat::Mp4) ddpm::writeMp4(path.toStdString(), mats, framesPerSecond);
    else ddpm::writeApng(path.toStdString(), mats, 1000 / std::max(1, framesPerSecond));
}

void writeFrameStrip(const QString& path, const QVector<SamplingFrame>& frames, int maxFrames,
                     const std::map<std::string, std::string>& text) {
    if (frames.isEmpty()) throw std::runtime_error(path.toStdString() + ": there is no trajectory to export yet");
    const int n = std::min<int>(std::max(2, maxFrames), int(frames.size()));
    QVector<int> picks;
    for (int i = 0; i < n; ++i) picks.append(n == 1 ? 0 : int(std::lround(double(i) * (frames.size() - 1) / (n - 1))));
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());

    const bool attention = hasAttention(frames);
    QList<QList<QImage>> cells;
    for (int i : picks) cells.append(panels(frames[i], attention));
    const int cellW = cells.front().front().width(), cellH = cells.front().front().height();
    const int rows = int(cells.front().size());
    QImage strip(int(cells.size()) * (cellW + kGap) - kGap, kCaptionHeight + rows * (cellH + kGap) - kGap,
                 QImage::Format_RGB888);
    strip.fill(Qt::white);
    QPainter painter(&strip);
    painter.setPen(Qt::black);
    for (int k = 0; k < cells.size(); ++k) {
        const int left = k * (cellW + kGap);
        const SamplingFrame& f = frames[picks[k]];
        painter.drawText(QRect(left, 0, cellW, kCaptionHeight), Qt::AlignCenter,
                         f.index == 0 ? QStringLiteral("x_T") : QStringLiteral("t = %1").arg(f.t));
        for (int row = 0; row < rows; ++row)
            painter.drawImage(left, kCaptionHeight + row * (cellH + kGap), cells[k][row].convertToFormat(QImage::Format_RGB888));
    }
    painter.end();
    ddpm::writePng(path.toStdString(), toMat(strip), text);
}

}  // namespace ddpm::ui
