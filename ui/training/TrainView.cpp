#include "training/TrainView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>

#include "StudioSettings.h"
#include "common/HelpLabel.h"
#include "common/NamedButton.h"
#include "plot/DurationText.h"
#include "plot/LiveCurvePlot.h"
#include "training/RunFolder.h"
#include "training/RunFolderWatcher.h"
#include "training/SamplePreview.h"
#include "training/TrainSettingsPanel.h"

namespace ddpm::ui {

namespace {

constexpr int kDrainIntervalMs = 40;   // the plots' frame rate: 25 redraws a second at most
constexpr int kStopTimeoutMs = 1000;   // closing waits this long for the step in flight
constexpr int kSmoothingSteps = 100;   // slider positions: weight = position / 100, at most 0.99
constexpr double kDefaultSmoothing = 0.9;
constexpr int kProgressTicks = 1000;
const char kCheckpointFilter[] = "Checkpoints (*.ckpt);;All files (*)";

// A run folder's model.ckpt, as core's RunFolder names it.
QString checkpointIn(const QString& runFolder) {
    return QString::fromStdString(ddpm::RunFolder(runFolder.toStdString()).checkpoint());
}

QString runsFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath("runs");
}

}  // namespace

TrainView::TrainView(QWidget* parent)
    : QWidget(parent),
      worker_(new TrainingWorker(&records_, this)),
      settings_(new TrainSettingsPanel(this)),
      lossPlot_(new LiveCurvePlot(tr("loss"), true, this)),
      learningRatePlot_(new LiveCurvePlot(tr("learning rate"), false, this)),
      gradNormPlot_(new LiveCurvePlot(tr("gradient norm"), true, this)),
      preview_(new SamplePreview(this)),
      smoothing_(new QSlider(Qt::Horizontal, this)),
      smoothingValue_(new QLabel(this)),
      logY_(new QCheckBox(tr("log scale"), this)),
      xAxis_(new QComboBox(this)),
      runFolderLabel_(new QLabel(this)),
      status_(new QLabel(this)),
      modelLabel_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      speed_(new QLabel(this)),
      drainTimer_(new QTimer(this)),
      watcher_(new RunFolderWatcher(this)) {
    setObjectName("trainView");
    lossPlot_->setObjectName("lossPlot");
    learningRatePlot_->setObjectName("learningRatePlot");
    gradNormPlot_->setObjectName("gradNormPlot");
    progress_->setObjectName("trainProgress");
    speed_->setObjectName("trainSpeed");
    status_->setObjectName("trainStatus");

    auto* centre = new QSplitter(Qt::Horizontal, this);
    centre->setObjectName("trainSplitter");
    centre->addWidget(makeControls());
    centre->addWidget(makeCurves());
    centre->addWidget(preview_);
    centre->setStretchFactor(0, 0);
    centre->setStretchFactor(1, 1);
    centre->setStretchFactor(2, 0);
    centre->setCollapsible(1, false);
    centre->setSizes({300, 700, 340});

    progress_->setRange(0, kProgressTicks);
    progress_->setValue(0);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(progress_, 1);
    bottom->addWidget(speed_);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(makeHelpText());
    layout->addWidget(centre, 1);
    layout->addLayout(bottom);

    connect(worker_, &TrainingWorker::stateChanged, this, &TrainView::updateControls);
    connect(worker_, &TrainingWorker::runPrepared, this, [this](const QString& description, qint64 step) {
        modelLabel_->setText(description);
        shownStep_ = step;
    });
    connect(worker_, &TrainingWorker::phaseEnded, this, [this] {
        for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->clear();
        progress_->setValue(0);
        speed_->clear();
        shownStep_ = 0;
        showStatus(tr("The autoencoder is trained (in the run folder's autoencoder/): now the diffusion model on its "
                      "latents, after encoding the training set"));
    });
    connect(worker_, &TrainingWorker::previewImage, preview_, &SamplePreview::showImage);
    connect(worker_, &TrainingWorker::previewReconstructions, preview_, &SamplePreview::showReconstructions);
    connect(worker_, &TrainingWorker::previewPoints, preview_, &SamplePreview::showPoints);
    connect(worker_, &TrainingWorker::failed, this, [this](const QString& message) { showStatus(message, true); });
    connect(worker_, &TrainingWorker::checkpointWritten, this, [this](const QString& path, bool samplable) {
        showStatus(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
        if (samplable) emit checkpointSaved(path);   // an autoencoder is no model for the other tabs
    });
    connect(worker_, &TrainingWorker::checkpointOpened, this, [this](const QString& path) {
        showStatus(tr("Opened %1: press Resume to continue it").arg(QDir::toNativeSeparators(path)));
        emit checkpointSaved(path);
    });
    connect(settings_, &TrainSettingsPanel::cadenceChanged, worker_, &TrainingWorker::setCadence);
    connect(settings_, &TrainSettingsPanel::resolutionChangeRequested, this, &TrainView::reloadDatasetRequested);

    connect(watcher_, &RunFolderWatcher::rowsRead, this, [this](const QVector<StepRecord>& rows) {
        for (const StepRecord& row : rows) records_.push(row);
    });
    connect(watcher_, &RunFolderWatcher::restarted, this, [this] {
        drainRecords();   // what came before the restart, then the curves start over
        for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->clear();
    });
    connect(watcher_, &RunFolderWatcher::samplesChanged, preview_, &SamplePreview::showSavedGrid);
    connect(watcher_, &RunFolderWatcher::checkpointChanged, this, [this](const QString& path) {
        showStatus(tr("Watching: a new checkpoint, %1").arg(QDir::toNativeSeparators(path)));
        emit checkpointSaved(path);
    });
    connect(watcher_, &RunFolderWatcher::problem, this, [this](const QString& message) { showStatus(message, true); });
    connect(drainTimer_, &QTimer::timeout, this, &TrainView::drainRecords);
    drainTimer_->start(kDrainIntervalMs);
    restoreViewSettings();
    updateControls();
}

TrainView::~TrainView() {
    saveViewSettings();
    worker_->stop();   // the worker's destructor waits for the step in flight
}

QWidget* TrainView::makeHelpText() {
    return makeHelpLabel(
        tr("<b>What you see.</b> Each step shows the model a batch of training images with noise added at a "
           "random level t and asks it to predict the noise (or x₀, or v: the objective). The <b>loss</b> is "
           "the mean squared error between that prediction and the truth. It is noisy by nature: every batch "
           "draws other images and other noise levels, and high noise is harder than low; the "
           "<b>smoothed</b> curve shows the trend. Samples come from an <b>EMA</b> (a running average) of the "
           "weights, which is steadier than the weights themselves. Beside the loss: the learning rate (warm-up, "
           "then a cosine decay) and the gradient norm before clipping. Drag or wheel to zoom a plot, "
           "double-click to follow the newest steps again."),
        "trainHelp", this);
}

QWidget* TrainView::makeControls() {
    start_ = makeButton(tr("Start"), "startButton", tr("Train a new model from these settings on the loaded dataset"), this);
    pause_ = makeButton(tr("Pause"), "pauseButton", tr("Hold training after the current step"), this);
    resume_ = makeButton(tr("Resume"), "resumeButton", tr("Continue a paused, stopped or opened run"), this);
    step_ = makeButton(tr("Step"), "stepButton", tr("While paused: train on exactly one more batch"), this);
    stop_ = makeButton(tr("Stop"), "stopButton", tr("End the loop after the current step; the run can still be saved or resumed"), this);
    save_ = makeButton(tr("Save Checkpoint…"), "saveCheckpointButton",
                       tr("Write model, EMA, optimizer, step and settings to a .ckpt file (atomically)"), this);
    open_ = makeButton(tr("Open Checkpoint…"), "openCheckpointButton",
                       tr("Read a .ckpt file and resume it exactly where it stopped"), this);
    connect(start_, &QPushButton::clicked, this, &TrainView::start);
    connect(pause_, &QPushButton::clicked, worker_, &TrainingWorker::pause);
    connect(resume_, &QPushButton::clicked, worker_, &TrainingWorker::resume);
    connect(step_, &QPushButton::clicked, worker_, &TrainingWorker::stepOnce);
    connect(stop_, &QPushButton::clicked, worker_, &TrainingWorker::stop);
    connect(save_, &QPushButton::clicked, this, &TrainView::showSaveDialog);
    connect(open_, &QPushButton::clicked, this, &TrainView::showOpenDialog);

    auto* buttons = new QGridLayout;
    buttons->addWidget(start_, 0, 0, 1, 2);
    buttons->addWidget(pause_, 1, 0);
    buttons->addWidget(resume_, 1, 1);
    buttons->addWidget(step_, 2, 0);
    buttons->addWidget(stop_, 2, 1);
    buttons->addWidget(save_, 3, 0, 1, 2);
    buttons->addWidget(open_, 4, 0, 1, 2);

    auto* settingsBox = new QGroupBox(tr("Settings"), this);
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->addWidget(settings_);

    for (QLabel* label : {runFolderLabel_, status_, modelLabel_}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    }
    runFolderLabel_->setObjectName("runFolderLabel");
    runFolderLabel_->setOpenExternalLinks(true);
    modelLabel_->setObjectName("modelLabel");
    modelLabel_->setForegroundRole(QPalette::PlaceholderText);

    auto* panel = new QWidget(this);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(settingsBox);
    layout->addLayout(buttons);
    layout->addWidget(status_);
    layout->addWidget(runFolderLabel_);
    layout->addWidget(modelLabel_);
    layout->addStretch(1);

    auto* scroll = new QScrollArea(this);   // small screens: the form scrolls, the plots keep their room
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(panel->sizeHint().width() + 20);
    return scroll;
}

QWidget* TrainView::makeCurves() {
    smoothing_->setObjectName("smoothingSlider");
    smoothing_->setRange(0, kSmoothingSteps - 1);
    smoothing_->setToolTip(tr("How much the smoothed curve averages (an exponential moving average, as in "
                              "TensorBoard): 0 follows every step, 0.99 shows only the long trend"));
    smoothingValue_->setMinimumWidth(smoothingValue_->fontMetrics().horizontalAdvance("0.00 "));
    logY_->setObjectName("logYCheck");
    logY_->setToolTip(tr("Logarithmic y axes: late, small improvements of the loss stay visible"));
    xAxis_->setObjectName("xAxisCombo");
    xAxis_->addItem(tr("step"), int(LiveCurvePlot::XAxis::Step));
    xAxis_->addItem(tr("training time"), int(LiveCurvePlot::XAxis::WallTime));
    xAxis_->setToolTip(tr("What the x axes count: optimizer steps or training time (pauses excluded)"));

    connect(smoothing_, &QSlider::valueChanged, this, [this](int position) {
        const double weight = double(position) / kSmoothingSteps;
        smoothingValue_->setText(QString::number(weight, 'f', 2));
        lossPlot_->setSmoothing(weight);
        gradNormPlot_->setSmoothing(weight);
    });
    connect(logY_, &QCheckBox::toggled, this, [this](bool on) {
        for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->setLogY(on);
    });
    connect(xAxis_, &QComboBox::currentIndexChanged, this, [this] {
        const auto axis = LiveCurvePlot::XAxis(xAxis_->currentData().toInt());
        for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->setXAxis(axis);
    });

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(new QLabel(tr("Smoothing"), this));
    toolbar->addWidget(smoothing_, 1);
    toolbar->addWidget(smoothingValue_);
    toolbar->addSpacing(12);
    toolbar->addWidget(logY_);
    toolbar->addSpacing(12);
    toolbar->addWidget(new QLabel(tr("x axis"), this));
    toolbar->addWidget(xAxis_);

    auto* small = new QHBoxLayout;
    small->addWidget(learningRatePlot_);
    small->addWidget(gradNormPlot_);
    for (LiveCurvePlot* plot : {learningRatePlot_, gradNormPlot_}) plot->setMinimumHeight(150);
    lossPlot_->setMinimumHeight(250);

    auto* curves = new QWidget(this);
    auto* layout = new QVBoxLayout(curves);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    layout->addWidget(lossPlot_, 3);
    layout->addLayout(small, 1);
    return curves;
}

void TrainView::restoreViewSettings() {
    QSettings settings(kOrganizationName, kApplicationName);
    settings_->setSettings(TrainSettings::load(settings));
    const double weight = settings.value("train/smoothing", kDefaultSmoothing).toDouble();
    smoothing_->setValue(int(std::lround(weight * kSmoothingSteps)));
    emit smoothing_->valueChanged(smoothing_->value());   // the label and plots even when the value did not move
    logY_->setChecked(settings.value("train/logY", false).toBool());
    xAxis_->setCurrentIndex(std::max(0, xAxis_->findData(settings.value("train/xAxis", 0).toInt())));
}

void TrainView::saveViewSettings() const {
    QSettings settings(kOrganizationName, kApplicationName);
    settings_->settings().save(settings);
    settings.setValue("train/smoothing", double(smoothing_->value()) / kSmoothingSteps);
    settings.setValue("train/logY", logY_->isChecked());
    settings.setValue("train/xAxis", xAxis_->currentData().toInt());
}

void TrainView::setDataset(const DatasetPtr& dataset) {
    dataset_ = dataset;
    settings_->setDataset(dataset);
    if (!worker_->isActive()) preview_->setDataset(dataset);
    updateControls();
}

QString TrainView::runFolder() const { return worker_->runFolder(); }

QString TrainView::newRunFolder() const {
    const QString base = QDir(runsFolder()).filePath(QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
    QString folder = base;
    for (int n = 2; QFileInfo::exists(folder); ++n) folder = QStringLiteral("%1-%2").arg(base).arg(n);
    return folder;
}

QString TrainView::beginRun(const QString& given) {
    resetCurves();
    const QString folder = given.isEmpty() ? newRunFolder() : given;
    runFolderLabel_->setText(tr("Run folder: <a href=\"%1\">%2</a>")
                                 .arg(QUrl::fromLocalFile(folder).toString(), QDir::toNativeSeparators(folder).toHtmlEscaped()));
    return folder;
}

void TrainView::resetCurves() {
    records_.clear();
    progress_->setVisible(true);
    for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->clear();
    preview_->setDataset(dataset_);
    progress_->setValue(0);
    speed_->clear();
    shownStep_ = 0;
}

void TrainView::watchRunFolder(const QString& folder) {
    if (folder.isEmpty()) return;
    if (worker_->isActive()) {
        showStatus(tr("A run is training here: stop it before watching another"), true);
        return;
    }
    if (!QFileInfo(folder).isDir()) {
        showStatus(tr("%1 is not a folder").arg(QDir::toNativeSeparators(folder)), true);
        return;
    }
    resetCurves();
    progress_->setVisible(false);   // the writer knows the horizon, not the watcher
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    runFolderLabel_->setText(tr("Watching <a href=\"%1\">%2</a>, written by another process")
                                 .arg(QUrl::fromLocalFile(absolute).toString(), QDir::toNativeSeparators(absolute).toHtmlEscaped()));
    showStatus(tr("Watching for new steps, sample grids and checkpoints…"));
    watcher_->watch(absolute);
}

void TrainView::start() {
    // Active again after the question: its box let a queued resume of another run in.
    if (!dataset_ || worker_->isActive() || !confirmLosingSteps(Losing::ByReplacing) || worker_->isActive()) return;
    watcher_->stop();
    saveViewSettings();
    const QString folder = beginRun();
    showStatus(tr("Preparing %1…").arg(QString::fromStdString(dataset_->name)));
    worker_->startFresh(settings_->settings(), dataset_, folder);
}

void TrainView::openCheckpoint(const QString& path) { openCheckpointInto(path, {}); }

void TrainView::resumeRun(const QString& runFolder) {
    openCheckpointInto(checkpointIn(runFolder), runFolder);
}

void TrainView::openCheckpointInto(const QString& path, const QString& runFolder) {
    if (path.isEmpty() || worker_->isActive()) return;
    if (!dataset_) {
        showStatus(tr("%1: load the run's dataset in the Dataset tab first").arg(QDir::toNativeSeparators(path)), true);
        return;
    }
    if (!confirmLosingSteps(Losing::ByReplacing) || worker_->isActive()) return;
    watcher_->stop();
    const QString folder = beginRun(runFolder);
    showStatus(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    worker_->openCheckpoint(path, dataset_, folder, settings_->settings());
}

void TrainView::saveCheckpoint(const QString& path) {
    if (path.isEmpty()) return;
    showStatus(tr("Saving %1…").arg(QDir::toNativeSeparators(path)));
    worker_->saveCheckpoint(path);
}

void TrainView::showSaveDialog() {
    const QString suggested = checkpointIn(worker_->runFolder().isEmpty() ? runsFolder() : worker_->runFolder());
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Checkpoint"), suggested, tr(kCheckpointFilter));
    saveCheckpoint(path);
}

void TrainView::showOpenDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Checkpoint"), runsFolder(), tr(kCheckpointFilter));
    openCheckpoint(path);
}

void TrainView::drainRecords() {
    const std::vector<StepRecord> records = records_.takeAll();
    if (!records.empty()) {
        QVector<CurvePoint> loss, learningRate, gradNorm;
        loss.reserve(int(records.size()));
        learningRate.reserve(int(records.size()));
        gradNorm.reserve(int(records.size()));
        for (const StepRecord& r : records) {
            loss.append({double(r.step), r.seconds, r.loss});
            learningRate.append({double(r.step), r.seconds, r.learningRate});
            gradNorm.append({double(r.step), r.seconds, r.gradNorm});
        }
        lossPlot_->append(loss);
        learningRatePlot_->append(learningRate);
        gradNormPlot_->append(gradNorm);

        const StepRecord& last = records.back();
        shownStep_ = last.step;
        QString speed = tr("step %1 · %2 img/s · %3 elapsed")
                            .arg(QLocale().toString(last.step))
                            .arg(last.imagesPerSecond, 0, 'f', 0)
                            .arg(durationText(last.seconds));
        if (last.progress >= 0) {   // a watched run's horizon is unknown here
            progress_->setValue(int(std::lround(last.progress * kProgressTicks)));
            const double eta = last.progress > 0 ? last.seconds * (1 - last.progress) / last.progress : 0;
            speed += tr(" · ETA %1").arg(durationText(eta));
        }
        speed_->setText(speed);
    }
    for (LiveCurvePlot* plot : {lossPlot_, learningRatePlot_, gradNormPlot_}) plot->refresh();
}

void TrainView::updateControls() {
    using State = TrainingWorker::State;
    const State state = worker_->state();
    start_->setEnabled(dataset_ && !worker_->isActive());
    pause_->setEnabled(state == State::Running);
    resume_->setEnabled(worker_->canContinue());
    step_->setEnabled(state == State::Paused);
    stop_->setEnabled(worker_->isActive());
    save_->setEnabled(worker_->hasRun() && state != State::Preparing);
    open_->setEnabled(!worker_->isActive());
    settings_->setModelEditable(!worker_->isActive());
    switch (state) {
        case State::Running: showStatus(tr("Training…")); break;
        case State::Paused: showStatus(tr("Paused: Resume continues, Step trains one batch")); break;
        case State::Stopped: showStatus(tr("Stopped at step %1").arg(QLocale().toString(worker_->completedSteps()))); break;
        case State::Finished: showStatus(tr("Finished: %1 steps").arg(QLocale().toString(worker_->completedSteps()))); break;
        case State::Idle:
            if (!dataset_) showStatus(tr("Load a dataset in the Dataset tab to train on it."));
            break;
        case State::Preparing:
        case State::Failed: break;   // their own messages stay
    }
}

void TrainView::showStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

bool TrainView::confirmClose() { return confirmLosingSteps(Losing::ByClosing); }

bool TrainView::confirmLosingSteps(Losing how) {
    // Asked again if, while the box was open, a run being prepared took the place of the one asked about.
    for (;;) {
        // A stopped run, or one whose save at an earlier close failed, has steps to lose too.
        const bool active = worker_->isActive();
        if (!active && !worker_->hasUnsavedSteps()) return true;
        const QString target = worker_->runCheckpoint();
        const QString question = active ? tr("Save the run before closing?")
                                 : how == Losing::ByClosing
                                     ? tr("The run has trained since its last save. Save it before closing?")
                                     : tr("The run has trained since its last save. Save it before another run takes its place?");
        QMessageBox box(QMessageBox::Question, active ? tr("Training is running") : tr("Unsaved training steps"),
                        question, QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setObjectName("confirmCloseBox");
        box.setInformativeText(tr("Save writes %1; Discard throws away the steps since the last save.")
                                   .arg(QDir::toNativeSeparators(target)));
        box.setDefaultButton(QMessageBox::Save);
        const int answer = box.exec();
        // Anything but a button (the event loop ended by a termination signal) is no answer.
        if (answer != QMessageBox::Save && answer != QMessageBox::Discard) return false;
        worker_->stopAndWait(kStopTimeoutMs);
        if (answer == QMessageBox::Discard) return true;
        if (worker_->runCheckpoint() != target) continue;
        const QString error = worker_->saveCheckpointAndWait(target);
        if (error.isEmpty()) return true;
        QMessageBox::warning(this, tr("Could not save"), error);
        return false;
    }
}

QString TrainView::saveForShutdown() {
    if (!worker_->isActive() && !worker_->hasUnsavedSteps()) return {};
    worker_->stopAndWait(kStopTimeoutMs);
    return worker_->saveCheckpointAndWait(worker_->runCheckpoint());
}

}  // namespace ddpm::ui
