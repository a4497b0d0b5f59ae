#pragma once
// The Timeline tab: forward noising of the chosen image. A slider over
// t = 0 … T−1 shows x_t enlarged while dragging; a strip shows chosen steps;
// a plot shows the schedule's β_t, ᾱ_t, √ᾱ_t and SNR(t) with a cursor at t.
// Switching the schedule or T changes the plot and the images. For 2-D toy
// datasets, the data and its points at t are scattered instead. With a latent
// model open, the image's latents are noised: x_t is shown decoded, with its
// latent channels beside it.
//
// The arithmetic runs on a ForwardNoisingWorker; this view only sends requests
// and shows results.
#include <QImage>
#include <QList>
#include <QWidget>

#include "dataset/DatasetPtr.h"
#include "timeline/ForwardNoising.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;
class QStackedWidget;
class QTimer;
class QToolButton;
class QHBoxLayout;

namespace ddpm::ui {

class DatasetView;
class ForwardNoisingWorker;
class PixelImageLabel;
class PointsPlot;
class ScheduleCurvesPlot;

class TimelineView : public QWidget {
    Q_OBJECT

public:
    explicit TimelineView(DatasetView* datasetView, QWidget* parent = nullptr);
    ~TimelineView() override;

    int t() const;
    ScheduleChoice schedule() const;
    QVector<int> stripSteps() const { return stripSteps_; }
    bool isPlaying() const;
    // What is on screen: the last result the worker delivered.
    const ForwardNoisingResult& shown() const { return shown_; }
    ScheduleCurvesPlot* curvesPlot() const { return curves_; }
    PointsPlot* pointsPlot() const { return points_; }

public slots:
    void setT(int t);
    void setSchedule(const ScheduleChoice& schedule);
    // "0, 100, 500, 999": steps for the strip; false (with a message shown) when not a list of steps.
    bool setStripSteps(const QString& text);
    void setPlaying(bool playing);
    // The open checkpoint (empty: none): a latent model's autoencoder decides what is noised.
    void setModel(const QString& checkpoint);

signals:
    // A result for step t is on screen.
    void shownChanged(int t);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    QWidget* makeControls();
    QWidget* makeStrip();
    void requestFrame();
    void display(const ForwardNoisingResult& result);
    void showStrip(const ForwardNoisingResult& result);
    void onDatasetChanged(const DatasetPtr& dataset);
    void advancePlayback();
    void saveSettings() const;

    DatasetView* datasetView_;
    ForwardNoisingWorker* worker_;
    DatasetPtr dataset_;
    QString model_;
    QVector<int> stripSteps_;
    ForwardNoisingResult shown_;

    QComboBox* scheduleKind_;
    QSpinBox* timesteps_;
    QSlider* slider_;
    QSpinBox* tBox_;
    QToolButton* play_;
    QTimer* playTimer_;
    QLineEdit* stripEdit_;
    QLabel* stripMessage_;
    QStackedWidget* picture_;
    PixelImageLabel* image_;
    PixelImageLabel* latentChannels_;   // latent models only
    QLabel* imageCaption_;
    PointsPlot* points_;
    ScheduleCurvesPlot* curves_;
    QHBoxLayout* stripLayout_;
    QList<PixelImageLabel*> stripImages_;
    QList<QLabel*> stripCaptions_;
};

}  // namespace ddpm::ui
