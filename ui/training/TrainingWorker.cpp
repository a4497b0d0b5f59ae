#include "training/TrainingWorker.h"

#include <QDeadlineTimer>
#include <QFutureSynchronizer>
#include <QLocale>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "common/TensorImage.h"
#include "sampling/Sampler.h"
#include "training/RunCheckpoints.h"
#include "training/RunConfigFromSettings.h"
#include "training/StepRecordBuffer.h"
#include "training/Trainer.h"
#include "util/Cancelled.h"
#include "util/Threads.h"

namespace ddpm::ui {

namespace {

using Clock = std::chrono::steady_clock;

// The preview is a glance, not a result: a few DDIM steps, a small count.
constexpr int kPreviewImages = 16;      // a 4×4 grid
constexpr int kPreviewColumns = 4;
constexpr int kPreviewPadding = 2;
constexpr int kPreviewPoints = 1000;

// A run that has reached its length goes on for the settings' steps or minutes.
void extendIfFinished(Trainer& trainer, const TrainSettings& extension) {
    if (!trainer.finished() && (trainer.progress().horizonSteps > 0 || trainer.progress().horizonSeconds > 0)) return;
    if (extension.useTimeBudget)
        trainer.setHorizon(0, trainer.progress().trainedSeconds + 60.0 * extension.minutes);
    else
        trainer.setHorizon(trainer.progress().step + extension.steps, 0);
}

void setHorizon(Trainer& trainer, const TrainSettings& s) {
    if (s.useTimeBudget) trainer.setHorizon(0, 60.0 * s.minutes);
    else trainer.setHorizon(s.steps, 0);
}

QString describe(Trainer& trainer) {
    return QObject::tr("%1, %2 parameters, %3, %4")
        .arg(QString::fromStdString(trainer.config().model.describe()),
             QLocale().toString(qlonglong(trainer.model().parameterCount())),
             QString::fromStdString(toString(trainer.config().train.precision)),
             QString::fromStdString(trainer.device().str()));
}

}  // namespace

struct TrainingWorker::Impl {
    using Prepare = std::function<std::unique_ptr<Trainer>()>;

    StepRecordBuffer* records = nullptr;
    std::mutex trainerMutex;                    // held for each step, preview and save
    std::unique_ptr<Trainer> trainer;           // guarded by trainerMutex
    std::shared_ptr<TrainingControl> control;   // one per loop: a cancel is final
    QThread* thread = nullptr;
    Prepare prepare;                            // builds the trainer at the start of the next loop
    // What the GUI reads without waiting for the trainer's lock.
    std::atomic<bool> hasTrainer{false}, reachedEnd{false}, held{false};
    std::atomic<qint64> completedSteps{0};
    std::atomic<int> previewEvery{0};
    std::atomic<double> autosaveMinutes{0};
    std::string autosavePath;                   // the run folder's checkpoint; set before each loop
    QFutureSynchronizer<void> saves;

    // The training loop, on the loop's thread. Returns how it ended.
    State runLoop(TrainingWorker* worker, const Prepare& prepareNow, TrainingControl& loopControl, State after);
    void preview(TrainingWorker* worker, const TrainingControl& loopControl);
    // Saves atomically and emits checkpointWritten or failed; returns the error, "" on success.
    QString save(TrainingWorker* worker, const std::string& path);
    // The run folder's model.ckpt, and a step-numbered snapshot beside it that the Evaluate tab scores.
    void autosave(TrainingWorker* worker);
};

TrainingWorker::TrainingWorker(StepRecordBuffer* records, QObject* parent)
    : QObject(parent), impl_(std::make_unique<Impl>()) {
    impl_->records = records;
    static std::once_flag threadsConfigured;
    std::call_once(threadsConfigured, [] { configureThreads(0); });   // as ddpm train does
}

TrainingWorker::~TrainingWorker() {
    // The loop and any save use the trainer and emit on this object: both end first.
    if (impl_->control) impl_->control->cancel();
    if (impl_->thread) {
        impl_->thread->wait();
        delete impl_->thread;
    }
    impl_->saves.waitForFinished();
}

bool TrainingWorker::hasRun() const { return impl_->hasTrainer; }

bool TrainingWorker::canContinue() const {
    return state_ == State::Paused || (state_ == State::Stopped && impl_->hasTrainer && !impl_->reachedEnd);
}

bool TrainingWorker::isActive() const {
    return state_ == State::Preparing || state_ == State::Running || state_ == State::Paused;
}

qint64 TrainingWorker::completedSteps() const { return impl_->completedSteps; }

bool TrainingWorker::isHeld() const { return state_ == State::Paused && impl_->held; }

void TrainingWorker::setCadence(int previewEvery, double autosaveMinutes) {
    impl_->previewEvery = previewEvery;
    impl_->autosaveMinutes = autosaveMinutes;
}

void TrainingWorker::startFresh(const TrainSettings& settings, DatasetPtr dataset, const QString& runFolder) {
    if (isActive() || !dataset) return;
    runFolder_ = runFolder;
    setCadence(settings.previewEvery, settings.autosaveMinutes);
    impl_->prepare = [settings, dataset] {
        auto trainer = std::make_unique<Trainer>(runConfigFromSettings(settings, *dataset), *dataset,
                                                 selectDevice("auto"));
        setHorizon(*trainer, settings);
        return trainer;
    };
    launch(State::Running);
}

void TrainingWorker::openCheckpoint(const QString& path, DatasetPtr dataset, const QString& runFolder,
                                    const TrainSettings& extension) {
    if (isActive() || !dataset) return;
    runFolder_ = runFolder;
    setCadence(extension.previewEvery, extension.autosaveMinutes);
    impl_->prepare = [this, path, dataset, extension] {
        const torch::Device device = selectDevice("auto");
        CheckpointContents checkpoint = loadCheckpoint(path.toStdString(), device);
        std::unique_ptr<Trainer> trainer;
        try {
            trainer = std::make_unique<Trainer>(std::move(checkpoint), *dataset, device);
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(path.toStdString() + ": " + e.what() +
                                     "; load the run's dataset in the Dataset tab first");
        }
        extendIfFinished(*trainer, extension);
        emit checkpointOpened(path);
        return trainer;
    };
    launch(State::Paused);
}

void TrainingWorker::launch(State after) {
    if (impl_->thread) {   // the previous loop has ended (we are not active); reap its thread
        impl_->thread->wait();
        delete impl_->thread;
        impl_->thread = nullptr;
    }
    auto control = std::make_shared<TrainingControl>();
    if (after == State::Paused) control->pause();
    impl_->control = control;
    impl_->autosavePath = (std::filesystem::path(runFolder_.toStdString()) / kRunCheckpointName).string();
    Impl::Prepare prepare = std::exchange(impl_->prepare, {});
    setState(prepare ? State::Preparing : after);
    impl_->thread = QThread::create([this, prepare, control, after] {
        const State outcome = impl_->runLoop(this, prepare, *control, after);
        QMetaObject::invokeMethod(this, [this, outcome] { onLoopEnded(outcome); }, Qt::QueuedConnection);
    });
    impl_->thread->setObjectName("training");
    impl_->thread->start();
}

TrainingWorker::State TrainingWorker::Impl::runLoop(TrainingWorker* worker, const Prepare& prepareNow,
                                                    TrainingControl& loopControl, State after) {
    try {
        if (prepareNow) {
            std::unique_ptr<Trainer> built = prepareNow();   // a failure keeps the previous run
            const QString description = describe(*built);
            const qint64 step = built->progress().step;
            {
                std::lock_guard<std::mutex> lock(trainerMutex);
                trainer = std::move(built);
                reachedEnd = trainer->finished();
            }
            hasTrainer = true;
            completedSteps = step;
            QMetaObject::invokeMethod(worker, [worker, description, step, after] {
                worker->description_ = description;
                emit worker->runPrepared(description, step);
                if (worker->state_ == State::Preparing) worker->setState(after);
            }, Qt::QueuedConnection);
        }
        auto lastAutosave = Clock::now();
        qint64 lastPreview = -1;
        while (!reachedEnd) {
            held = loopControl.isPaused();   // set before the wait: a pause seen here blocks below
            const bool proceed = loopControl.waitToProceed();
            held = false;
            if (!proceed) return State::Stopped;
            StepStats s;
            {
                std::lock_guard<std::mutex> lock(trainerMutex);
                s = trainer->step();
                reachedEnd = trainer->finished();
            }
            completedSteps = s.step;
            records->push({s.step, s.elapsedSeconds, s.loss, s.learningRate, s.gradNorm, s.imagesPerSecond, s.progress});
            const int every = previewEvery;
            if (every > 0 && s.step % every == 0) {
                preview(worker, loopControl);
                lastPreview = s.step;
            }
            const double minutes = autosaveMinutes;
            if (minutes > 0 && Clock::now() - lastAutosave > std::chrono::duration<double>(60 * minutes)) {
                autosave(worker);
                lastAutosave = Clock::now();
            }
        }
        // The end of the run: its final samples (unless just drawn) and checkpoint.
        if (lastPreview != completedSteps) preview(worker, loopControl);
        autosave(worker);
        return State::Finished;
    } catch (const Cancelled&) {
        return State::Stopped;   // a preview gave way to a stop
    } catch (const std::exception& e) {
        emit worker->failed(QString::fromStdString(e.what()));
        return State::Failed;
    }
}

void TrainingWorker::Impl::preview(TrainingWorker* worker, const TrainingControl& loopControl) {
    torch::Tensor samples;
    qint64 step = 0;
    bool points = false;
    {
        std::lock_guard<std::mutex> lock(trainerMutex);
        const RunConfig& config = trainer->config();
        points = config.data.points;
        SamplerConfig sc;
        sc.kind = SamplerKind::Ddim;
        sc.steps = kPreviewSamplerSteps;
        sc.count = points ? kPreviewPoints : kPreviewImages;
        sc.precision = config.train.precision;
        // Seeded: the same noise each time, so successive grids show the model change, not the noise.
        samples = sample(trainer->emaModel(), trainer->schedule(), config.objective, sc,
                         [&](const SampleFrame&) { return !loopControl.isCancelled(); });
        step = trainer->progress().step;
    }
    if (points) emit worker->previewPoints(toPoints(samples), step);   // samples (N,2)
    else emit worker->previewImage(gridImage(samples, kPreviewColumns, kPreviewPadding), step);   // (N,C,H,W)
}

QString TrainingWorker::Impl::save(TrainingWorker* worker, const std::string& path) {
    try {
        const std::filesystem::path parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        std::lock_guard<std::mutex> lock(trainerMutex);
        trainer->save(path);
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(path + ": cannot save the checkpoint: " + e.what());
        emit worker->failed(message);
        return message;
    }
    emit worker->checkpointWritten(QString::fromStdString(path));
    return {};
}

void TrainingWorker::Impl::autosave(TrainingWorker* worker) {
    if (!save(worker, autosavePath).isEmpty()) return;
    const QString runFolder = QString::fromStdString(std::filesystem::path(autosavePath).parent_path().string());
    std::string snapshot;
    try {
        std::lock_guard<std::mutex> lock(trainerMutex);
        snapshot = stepSnapshotPath(runFolder, trainer->progress().step).toStdString();
        std::filesystem::create_directories(std::filesystem::path(snapshot).parent_path());
        trainer->save(snapshot);   // not announced: the other tabs follow model.ckpt
    } catch (const std::exception& e) {
        emit worker->failed(QString::fromStdString(snapshot + ": cannot save the snapshot: " + e.what()));
    }
}

void TrainingWorker::onLoopEnded(State outcome) {
    if (impl_->thread) {
        impl_->thread->wait();   // it has returned from the loop; this only reaps it
        delete impl_->thread;
        impl_->thread = nullptr;
    }
    setState(outcome);
}

void TrainingWorker::setState(State state) {
    if (state == state_) return;
    state_ = state;
    emit stateChanged(state);
}

void TrainingWorker::pause() {
    if (state_ != State::Running) return;
    impl_->control->pause();
    setState(State::Paused);
}

void TrainingWorker::resume() {
    if (state_ == State::Paused) {
        impl_->control->resume();
        setState(State::Running);
    } else if (canContinue()) {
        launch(State::Running);
    }
}

void TrainingWorker::stepOnce() {
    if (state_ == State::Paused) impl_->control->stepOnce();
}

void TrainingWorker::stop() {
    if (isActive() && impl_->control) impl_->control->cancel();
}

bool TrainingWorker::stopAndWait(int timeoutMs) {
    stop();
    return !impl_->thread || impl_->thread->wait(QDeadlineTimer(timeoutMs));
}

void TrainingWorker::saveCheckpoint(const QString& path) {
    if (!hasRun()) {
        emit failed(tr("Nothing to save yet: start a run or open a checkpoint."));
        return;
    }
    impl_->saves.addFuture(QtConcurrent::run([this, target = path.toStdString()] { impl_->save(this, target); }));
}

QString TrainingWorker::saveCheckpointAndWait(const QString& path) {
    if (!hasRun()) return tr("Nothing to save yet.");
    return QtConcurrent::run([this, target = path.toStdString()] { return impl_->save(this, target); }).result();
}

}  // namespace ddpm::ui
