#include "dataset/ChosenImagePanel.h"

#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

#include "dataset/DatasetImage.h"

namespace ddpm::ui {

ChosenImagePanel::ChosenImagePanel(QWidget* parent)
    : QGroupBox(tr("Chosen image"), parent), image_(new QLabel(this)), caption_(new QLabel(this)) {
    setObjectName("chosenImagePanel");
    image_->setObjectName("chosenImage");
    image_->setFixedSize(kImageSide, kImageSide);
    image_->setAlignment(Qt::AlignCenter);
    image_->setStyleSheet("background: #202020;");
    caption_->setObjectName("chosenImageCaption");
    caption_->setTextFormat(Qt::PlainText);
    caption_->setAlignment(Qt::AlignCenter);
    caption_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(image_, 0, Qt::AlignHCenter);
    layout->addWidget(caption_);
}

QString ChosenImagePanel::caption() const { return caption_->text(); }

void ChosenImagePanel::showImage(const DatasetPtr& dataset, int index) {
    const QImage image = dataset ? datasetImage(*dataset, index) : QImage();
    if (image.isNull()) {
        image_->clear();
        caption_->setText(tr("No image chosen"));
        return;
    }
    // Nearest-neighbour: a 28x28 digit should look like its pixels, not a blur.
    image_->setPixmap(QPixmap::fromImage(
        image.scaled(kImageSide, kImageSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
    caption_->setText(itemCaption(*dataset, index));
}

}  // namespace ddpm::ui
