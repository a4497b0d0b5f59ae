#pragma once
// What the model draws so far: a grid of EMA samples for images, or for 2-D
// toys the EMA samples over the training points, with a caption that says at
// which step they were made.
#include <QImage>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include "dataset/DatasetPtr.h"

class QLabel;
class QStackedWidget;

namespace ddpm::ui {

class PixelImageLabel;
class PointsPlot;

class SamplePreview : public QWidget {
    Q_OBJECT

public:
    explicit SamplePreview(QWidget* parent = nullptr);

    // The data the samples are drawn over (2-D toys); clears the preview.
    void setDataset(const DatasetPtr& dataset);
    void clear();
    bool hasSamples() const;   // a grid or points are shown
    const QImage& image() const;
    int sampledPointCount() const;

public slots:
    void showImage(const QImage& grid, qint64 step);
    // An autoencoder's preview: held-out images (the top two rows) above their reconstructions.
    void showReconstructions(const QImage& grid, qint64 step);
    void showPoints(const QVector<QPointF>& points, qint64 step);
    // A grid a run saved in its folder (samples-N.png, reconstructions.png, …), by its file name.
    void showSavedGrid(const QImage& grid, const QString& fileName);

private:
    void setCaption(qint64 step);

    QLabel* caption_;
    QStackedWidget* pages_;
    PixelImageLabel* image_;
    PointsPlot* points_;
};

}  // namespace ddpm::ui
