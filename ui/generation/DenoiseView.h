#pragma once
// The Denoise tab: the reverse process as an animation. A SamplingWorker draws
// a batch with the chosen sampler and streams x_t and the predicted x̂0 of
// every step; when it is done the whole trajectory is kept to play, pause,
// step and scrub, and to export as MP4, animated PNG or a frame strip.
// 2-D toy models show the points and their paths instead.
#include <QFutureWatcher>
#include <QVector>
#include <QWidget>

#include "generation/Sampling.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTimer;

namespace ddpm::ui {

class ModelLabel;
class PixelImageLabel;
class PointsPlot;
class SamplerControls;
class SamplingWorker;
class TrajectoryPlayer;

class DenoiseView : public QWidget {
    Q_OBJECT

public:
    explicit DenoiseView(QWidget* parent = nullptr);
    ~DenoiseView() override;

    bool isRunning() const { return running_; }
    bool hasModel() const { return !model_.path.isEmpty(); }
    const ModelSummary& model() const { return model_; }
    const QVector<SamplingFrame>& trajectory() const { return trajectory_; }
    int shownFrame() const { return shownFrame_; }
    SamplerControls* controls() const { return controls_; }
    TrajectoryPlayer* player() const { return player_; }

public slots:
    // Loads on the worker; the tab says when the model is ready or why it is not.
    void setCheckpoint(const QString& path);
    void generate();
    void cancel();
    // Export the kept trajectory; the format follows the extension (.mp4, .png/.apng).
    // Runs on a pool thread; exportFinished() reports the outcome.
    void exportAnimation(const QString& path);
    void exportStrip(const QString& path);

signals:
    void modelReady(const ddpm::ui::ModelSummary& model);
    void runFinished();
    void runCancelled();
    void exportFinished(const QString& path, const QString& error);   // error empty on success

private:
    QWidget* makeSidePanel();
    void updateAttentionWords();   // the prompt's words, for the attention picker
    QWidget* makePicture();
    void onModelLoaded(const ModelSummary& model);
    void onFrame(const SamplingFrame& frame);
    void onFinished();
    void onStopped(const QString& message);
    void showFrame(int index);
    void setRunning(bool running);
    void runExport(const QString& path, std::function<void()> work);
    void chooseExportFile(const QString& filter, const QString& suffix, bool strip);

    SamplingWorker* worker_;
    ModelSummary model_;
    SamplingRequest lastRequest_;     // what drew the kept trajectory
    QVector<SamplingFrame> trajectory_;
    bool running_ = false;
    bool followLive_ = true;
    int shownFrame_ = -1;
    QTimer* refresh_;                 // shows streamed frames at most every 40 ms
    QFutureWatcher<QString> exportWatcher_;
    QString exportPath_;

    SamplerControls* controls_;
    ModelLabel* modelLabel_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QPushButton* exportMp4_;
    QPushButton* exportApng_;
    QPushButton* exportStrip_;
    QLabel* message_;
    QStackedWidget* picture_;
    PixelImageLabel* xtImage_;
    PixelImageLabel* x0Image_;
    QComboBox* attentionWord_;        // text models: the prompt word whose cross-attention to show
    QLabel* attentionCaption_;
    PixelImageLabel* attentionImage_;
    PointsPlot* points_;
    QLabel* stepLabel_;
    QProgressBar* progress_;
    TrajectoryPlayer* player_;
};

}  // namespace ddpm::ui
