#include "common/PixelImageLabel.h"

#include <QPixmap>
#include <algorithm>

namespace ddpm::ui {

PixelImageLabel::PixelImageLabel(QWidget* parent) : QLabel(parent) {
    setAlignment(Qt::AlignCenter);
    setMinimumSize(64, 64);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setStyleSheet("background: #202020; color: #c0c0c0;");
}

void PixelImageLabel::setImage(const QImage& image) {
    image_ = image;
    rescale();
}

QSize PixelImageLabel::sizeHint() const { return QSize(256, 256); }

void PixelImageLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    rescale();
}

void PixelImageLabel::rescale() {
    if (image_.isNull()) {
        clear();
        return;
    }
    // The largest whole factor keeps every source pixel the same size on screen.
    const double fit = std::min(double(width()) / image_.width(), double(height()) / image_.height());
    const int factor = std::max(1, int(fit));
    const QSize size = fit >= 1 ? image_.size() * factor : image_.size().scaled(this->size(), Qt::KeepAspectRatio);
    setPixmap(QPixmap::fromImage(image_.scaled(size, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

}  // namespace ddpm::ui
