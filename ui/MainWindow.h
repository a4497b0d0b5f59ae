#pragma once
// DDPM Studio's main window: one tab per stage of the work (Dataset first;
// Train, Timeline, Denoise, Samples and Evaluate follow), the File menu, drag and drop
// of datasets anywhere on the window, and the window state kept across runs.
//
// A new tab is one call, usually from main() or a tab's owner:
//   window.addTab(new TrainView(window.datasetView()), QObject::tr("Train"));
// and reads the shared dataset state from window.datasetView().
#include <QMainWindow>

#include "dataset/DatasetPtr.h"
#include "training/InterruptedRun.h"

class QMenu;
class QTabWidget;

namespace ddpm::ui {

class DatasetView;
class DenoiseView;
class EvaluateView;
class SamplesView;
class TimelineView;
class RecentDatasets;
class TrainView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);   // restores the saved geometry and state

    DatasetView* datasetView() const { return datasetView_; }
    TimelineView* timelineView() const { return timelineView_; }
    DenoiseView* denoiseView() const { return denoiseView_; }
    SamplesView* samplesView() const { return samplesView_; }
    TrainView* trainView() const { return trainView_; }
    EvaluateView* evaluateView() const { return evaluateView_; }
    QTabWidget* tabs() const { return tabs_; }
    RecentDatasets* recentDatasets() const { return recent_; }
    // Appends a page (the window takes ownership) and returns its tab index.
    int addTab(QWidget* page, const QString& title);

public slots:
    // A folder, a file or a built-in name. Relative paths are made absolute.
    void openDataset(const QString& pathOrName);
    // What a launch without arguments shows: the built-in mnist.
    void openDefaultDataset();
    void showOpenFolderDialog();
    void showOpenFileDialog();
    // The model the Denoise and Samples tabs draw from; loaded on their workers.
    void openCheckpoint(const QString& path);
    // What a launch shows: the last checkpoint opened, else the shipped models/mnist-tiny.ckpt.
    void openDefaultCheckpoint();
    // While a shipped model is open, loading a built-in dataset that has a shipped model
    // of its own (emoji: models/emoji-latent.ckpt) opens that one.
    void followShippedModel();
    void showOpenCheckpointDialog();
    // A run folder another process writes: the Train tab follows it, and its checkpoints
    // become the Denoise and Samples tabs' model.
    void watchRunFolder(const QString& folder);
    void showWatchRunFolderDialog();
    // A PNG written by the Samples tab or `ddpm sample`: its settings go back into the Samples tab.
    void restoreSamplingParameters(const QString& pngPath);
    // At launch: when the last session ended mid-run, asks whether to resume that run
    // (its dataset is loaded, then its last autosave opens paused in the same folder).
    void offerToResumeInterruptedRun();
    // Quitting without asking (SIGTERM, a lost display): saves the active run into its
    // folder and keeps it noted as interrupted, so the next launch offers to resume it.
    // Returns "" or why the run could not be saved.
    QString saveForShutdown();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void addGenerationTabs();
    void rebuildRecentMenu();
    void showLoadedMessage(const DatasetPtr& dataset);
    void rememberDialogFolder(const QString& path);
    QString dialogFolder() const;
    void showAbout();
    void noteTrainingState();   // keeps the interrupted-run note in step with the Train tab
    void resumePendingRun();    // the run offered at launch, once its dataset is the loaded one

    QTabWidget* tabs_;
    DatasetView* datasetView_;
    TimelineView* timelineView_ = nullptr;
    DenoiseView* denoiseView_ = nullptr;
    SamplesView* samplesView_ = nullptr;
    EvaluateView* evaluateView_ = nullptr;
    TrainView* trainView_;
    RecentDatasets* recent_;
    QMenu* recentMenu_ = nullptr;
    std::optional<InterruptedRun> pendingResume_;   // waiting for its dataset to load
    bool shuttingDown_ = false;
    QString checkpoint_;   // the model open in the generation tabs, absolute; "" before the first
};

}  // namespace ddpm::ui
