#pragma once
// The Samples tab: a grid of samples drawn on a SamplingWorker with the chosen
// sampler, steps, η, seed, class and guidance; exported as a PNG (with chosen
// padding) that carries those parameters in its text chunks. Such a PNG dropped
// on the window restores them here.
#include <QImage>
#include <QList>
#include <QWidget>

#include "generation/Sampling.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QPlainTextEdit;
class QSpinBox;
class QStackedWidget;

namespace ddpm::ui {

class ModelLabel;
class PixelImageLabel;
class PointsPlot;
class SamplerControls;
class SamplingWorker;

class SamplesView : public QWidget {
    Q_OBJECT

public:
    explicit SamplesView(QWidget* parent = nullptr);
    ~SamplesView() override;

    bool isRunning() const { return running_; }
    bool hasModel() const { return !model_.path.isEmpty(); }
    const ModelSummary& model() const { return model_; }
    const SamplingResult& result() const { return result_; }   // the last finished grid
    SamplerControls* controls() const { return controls_; }
    // Text models: one prompt per line, a grid row of the batch for each (empty: the Prompt field's one batch).
    void setRowPrompts(const QStringList& prompts);
    QImage gridImage() const;   // what is shown, padding 2

    // True when the file is a PNG with DDPM Studio's generation parameters.
    static bool carriesSamplingParameters(const QString& path);

public slots:
    void setCheckpoint(const QString& path);
    void generate();
    void cancel();
    // Writes the last grid with the padding set here; false (message shown) on failure.
    bool exportPng(const QString& path);
    // Puts the parameters from a PNG's text chunks into the controls; false (message shown) if it has none.
    bool restoreFromPng(const QString& path);

signals:
    void modelReady(const ddpm::ui::ModelSummary& model);
    void runFinished();
    void runStopped();   // cancelled or failed

private:
    QWidget* makeSidePanel();
    void onModelLoaded(const ModelSummary& model);
    void onFinished(const SamplingResult& result);
    void setRunning(bool running);
    void showExportDialog();

    SamplingWorker* worker_;
    ModelSummary model_;
    SamplingResult result_;
    bool running_ = false;

    SamplerControls* controls_;
    ModelLabel* modelLabel_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QSpinBox* padding_;
    QLabel* rowPromptsLabel_;
    QPlainTextEdit* rowPrompts_;   // text models: a grid row per line
    QPushButton* export_;
    QLabel* message_;
    QStackedWidget* picture_;
    PixelImageLabel* grid_;
    PointsPlot* points_;
};

}  // namespace ddpm::ui
