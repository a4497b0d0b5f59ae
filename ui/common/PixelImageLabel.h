#pragma once
// Shows a small image (a 28x28 digit, a grid of samples) as large as the label
// allows, with crisp pixels: whole-number nearest-neighbour scaling, centred.
#include <QImage>
#include <QLabel>

namespace ddpm::ui {

class PixelImageLabel : public QLabel {
    Q_OBJECT

public:
    explicit PixelImageLabel(QWidget* parent = nullptr);

    void setImage(const QImage& image);   // a null image clears the label
    const QImage& image() const { return image_; }
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rescale();

    QImage image_;
};

}  // namespace ddpm::ui
