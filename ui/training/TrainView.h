#pragma once
// The Train tab: settings on the left, the live loss curve (raw and smoothed)
// with the learning rate and gradient norm beside it in the middle, EMA
// samples on the right, progress at the bottom. Start / Pause / Resume / Step /
// Stop drive a TrainingWorker; Save and Open write and resume checkpoints.
//
// MainWindow feeds it the Dataset tab's dataset (setDataset) and asks
// confirmClose() before the window closes; checkpointSaved(path) tells the
// other tabs about every checkpoint written or opened.
#include <QWidget>

#include "dataset/DatasetPtr.h"
#include "training/StepRecordBuffer.h"
#include "training/TrainingWorker.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QTimer;

namespace ddpm::ui {

class LiveCurvePlot;
class RunFolderWatcher;
class SamplePreview;
class TrainSettingsPanel;

class TrainView : public QWidget {
    Q_OBJECT

public:
    explicit TrainView(QWidget* parent = nullptr);
    ~TrainView() override;   // keeps the settings; stops and waits for a run

    TrainingWorker* worker() const { return worker_; }
    StepRecordBuffer* stepRecords() { return &records_; }
    LiveCurvePlot* lossPlot() const { return lossPlot_; }
    SamplePreview* preview() const { return preview_; }
    TrainSettingsPanel* settingsPanel() const { return settings_; }
    qint64 shownStep() const { return shownStep_; }     // the newest step the view has drawn
    QString runFolder() const;
    bool hasDataset() const { return bool(dataset_); }
    RunFolderWatcher* watcher() const { return watcher_; }

    // Before the window closes: while a run is active, or a stopped one has steps since its
    // last save, asks Save / Discard / Cancel, then stops the run. False: the user cancelled
    // (or saving failed); keep the window.
    bool confirmClose();
    // For a shutdown nobody can be asked about (SIGTERM, a lost display): stops an active
    // run and saves it into its run folder. "" when saved or nothing to save, else the reason.
    QString saveForShutdown();

public slots:
    void setDataset(const ddpm::ui::DatasetPtr& dataset);
    void start();                                  // a new run from the settings
    void saveCheckpoint(const QString& path);      // atomic, off the GUI thread
    void openCheckpoint(const QString& path);      // resumes it, paused, in a new run folder
    void resumeRun(const QString& runFolder);      // its model.ckpt, paused, in the same folder
    // Follows a run that another process trains into `folder` (RunFolderWatcher): its curves,
    // sample grids and checkpoints, as they land. Not while a run trains here; starting or
    // opening one ends the watch.
    void watchRunFolder(const QString& folder);
    void showSaveDialog();
    void showOpenDialog();

signals:
    void checkpointSaved(const QString& path);     // written or opened
    void reloadDatasetRequested(int resolution);   // an image folder at another size

private:
    QWidget* makeHelpText();
    QWidget* makeControls();
    QWidget* makeCurves();
    void drainRecords();                           // on the timer: new steps into the plots
    void updateControls();
    void showStatus(const QString& text, bool error = false);
    void resetCurves();
    // Before a run's steps since its last save are lost, by closing or by a new run taking its
    // place: asks Save / Discard / Cancel. True: go on (saved, discarded or nothing to lose).
    enum class Losing { ByClosing, ByReplacing };
    bool confirmLosingSteps(Losing how);
    QString beginRun(const QString& folder = {});   // clears the curves, shows the run folder (new unless given)
    void openCheckpointInto(const QString& path, const QString& runFolder);
    QString newRunFolder() const;
    void restoreViewSettings();
    void saveViewSettings() const;

    DatasetPtr dataset_;
    StepRecordBuffer records_;
    TrainingWorker* worker_;
    TrainSettingsPanel* settings_;
    LiveCurvePlot* lossPlot_;
    LiveCurvePlot* learningRatePlot_;
    LiveCurvePlot* gradNormPlot_;
    SamplePreview* preview_;
    QSlider* smoothing_;
    QLabel* smoothingValue_;
    QCheckBox* logY_;
    QComboBox* xAxis_;
    QPushButton *start_, *pause_, *resume_, *step_, *stop_, *save_, *open_;
    QLabel* runFolderLabel_;
    QLabel* status_;
    QLabel* modelLabel_;
    QProgressBar* progress_;
    QLabel* speed_;
    QTimer* drainTimer_;
    RunFolderWatcher* watcher_;
    qint64 shownStep_ = 0;
};

}  // namespace ddpm::ui
