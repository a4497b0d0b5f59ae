#include "training/SamplePreview.h"

#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "common/PixelImageLabel.h"
#include "common/PointsPlot.h"
#include "training/RunCadence.h"
#include "training/TrainingWorker.h"

namespace ddpm::ui {

namespace {
enum Page { kNothingYet, kImagePage, kPointsPage };
}  // namespace

SamplePreview::SamplePreview(QWidget* parent)
    : QWidget(parent),
      caption_(new QLabel(this)),
      pages_(new QStackedWidget(this)),
      image_(new PixelImageLabel(this)),
      points_(new PointsPlot(this)) {
    setObjectName("samplePreview");
    caption_->setObjectName("previewCaption");
    caption_->setWordWrap(true);
    image_->setObjectName("previewImage");
    points_->setObjectName("previewPoints");

    auto* nothing = new QLabel(tr("Samples from the EMA weights appear here while the model trains."), this);
    nothing->setAlignment(Qt::AlignCenter);
    nothing->setWordWrap(true);
    pages_->insertWidget(kNothingYet, nothing);
    pages_->insertWidget(kImagePage, image_);
    pages_->insertWidget(kPointsPage, points_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(caption_);
    layout->addWidget(pages_, 1);
    clear();
}

void SamplePreview::setDataset(const DatasetPtr& dataset) {
    QVector<QPointF> data;
    if (dataset && dataset->isPoints()) {
        data.reserve(int(dataset->count));
        for (int64_t i = 0; i < dataset->count; ++i)
            data.append(QPointF(dataset->points[size_t(2 * i)], dataset->points[size_t(2 * i + 1)]));
    }
    points_->setBackdrop(data, tr("training data"));
    clear();
}

void SamplePreview::clear() {
    image_->setImage(QImage());
    points_->setPoints({}, tr("EMA samples"));
    caption_->setText(tr("EMA samples"));
    pages_->setCurrentIndex(kNothingYet);
}

bool SamplePreview::hasSamples() const { return pages_->currentIndex() != kNothingYet; }

const QImage& SamplePreview::image() const { return image_->image(); }

int SamplePreview::sampledPointCount() const { return points_->pointCount(); }

void SamplePreview::setCaption(qint64 step) {
    caption_->setText(tr("EMA samples at step %1 (DDIM, %2 steps, the same seed each time)")
                          .arg(QLocale().toString(step))
                          .arg(ddpm::kPreviewSamplerSteps));
}

void SamplePreview::showImage(const QImage& grid, qint64 step) {
    image_->setImage(grid);
    setCaption(step);
    pages_->setCurrentIndex(kImagePage);
}

void SamplePreview::showReconstructions(const QImage& grid, qint64 step) {
    image_->setImage(grid);
    caption_->setText(tr("Autoencoder at step %1: held-out images (top two rows) and their reconstructions (bottom two)")
                          .arg(QLocale().toString(step)));
    pages_->setCurrentIndex(kImagePage);
}

void SamplePreview::showSavedGrid(const QImage& grid, const QString& fileName) {
    image_->setImage(grid);
    caption_->setText(tr("%1, the newest grid in the run folder").arg(fileName));
    pages_->setCurrentIndex(kImagePage);
}

void SamplePreview::showPoints(const QVector<QPointF>& points, qint64 step) {
    points_->setPoints(points, tr("EMA samples"));
    setCaption(step);
    pages_->setCurrentIndex(kPointsPage);
}

}  // namespace ddpm::ui
