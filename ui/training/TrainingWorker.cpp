#include "training/TrainingWorker.h"

#include <QDeadlineTimer>
#include <QFutureSynchronizer>
#include <QLocale>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>
#include <mutex>

#include "common/TensorImage.h"
#include "training/RunConfigFromSettings.h"
#include "training/MetricsFile.h"
#include "training/RunDriver.h"
#include "training/Trainer.h"
#include "training/StepRecordBuffer.h"
#include "util/Threads.h"

namespace ddpm::ui {

namespace {

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

constexpr int kPreviewColumns = 4;   // the preview's 16 images as a 4×4 grid
constexpr int kPreviewPadding = 2;

QString describe(Trainer& trainer) {
    const SampleSpace& space = trainer.config().data.space;
    const QString latents = space.isLatent() ? QObject::tr(" on %1").arg(QString::fromStdString(space.describe())) : QString();
    return QObject::tr("%1%2, %3 parameters, %4, %5")
        .arg(QString::fromStdString(trainer.config().model.describe()), latents,
             QLocale().toString(qlonglong(trainer.model().parameterCount())),
             QString::fromStdString(toString(trainer.config().train.precision)),
             QString::fromStdString(trainer.device().str()));
}

}  // namespace

struct TrainingWorker::Impl {
    using Prepare = std::function<std::unique_ptr<Trainer>()>;

    StepRecordBuffer* records = nullptr;
    // Set on the loop's thread, read on any: std::atomic_load / atomic_store only.
    std::shared_ptr<RunDriver> driver;
    std::shared_ptr<TrainingControl> control;   // one per loop: a cancel is final
    QThread* thread = nullptr;
    Prepare prepare;                            // builds the trainer at the start of the next loop
    std::shared_ptr<RunDriver> currentDriver() const { return std::atomic_load(&driver); }
    std::mutex cadenceMutex;                    // set on the GUI thread, taken up by a new driver
    RunCadence cadence;
    QFutureSynchronizer<void> saves;

    // The training loop, on the loop's thread. Returns how it ended.
    State runLoop(TrainingWorker* worker, const Prepare& prepareNow, TrainingControl& loopControl, State after,
                  const std::string& runFolder);
    // Saves atomically and emits checkpointWritten or failed; returns the error, "" on success.
    QString save(TrainingWorker* worker, const std::string& path);
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

bool TrainingWorker::hasRun() const { return impl_->currentDriver() != nullptr; }

bool TrainingWorker::canContinue() const {
    const auto driver = impl_->currentDriver();
    return state_ == State::Paused || (state_ == State::Stopped && driver && !driver->finished());
}

bool TrainingWorker::isActive() const {
    return state_ == State::Preparing || state_ == State::Running || state_ == State::Paused;
}

qint64 TrainingWorker::completedSteps() const {
    const auto driver = impl_->currentDriver();
    return driver ? driver->step() : 0;
}

bool TrainingWorker::isHeld() const {
    const auto driver = impl_->currentDriver();
    return state_ == State::Paused && driver && driver->isHeld();
}

void TrainingWorker::setCadence(const RunCadence& cadence) {
    std::lock_guard<std::mutex> lock(impl_->cadenceMutex);
    impl_->cadence = cadence;
    if (const auto driver = impl_->currentDriver()) driver->setCadence(cadence);
}

void TrainingWorker::startFresh(const TrainSettings& settings, DatasetPtr dataset, const QString& runFolder) {
    if (isActive() || !dataset) return;
    runFolder_ = runFolder;
    setCadence(settings.cadence());
    impl_->prepare = [settings, dataset] {
        const torch::Device device = selectDevice("auto");
        std::shared_ptr<TrainedAutoencoder> autoencoder;
        if (settings.latent && !settings.autoencoder.isEmpty() && !dataset->isPoints())
            autoencoder = std::make_shared<TrainedAutoencoder>(
                loadAutoencoderCheckpoint(settings.autoencoder.toStdString(), device).autoencoder);
        auto trainer = std::make_unique<Trainer>(runConfigFromSettings(settings, *dataset, autoencoder.get()), *dataset,
                                                 device, autoencoder);
        setHorizon(*trainer, settings);
        return trainer;
    };
    launch(State::Running);
}

void TrainingWorker::openCheckpoint(const QString& path, DatasetPtr dataset, const QString& runFolder,
                                    const TrainSettings& extension) {
    if (isActive() || !dataset) return;
    runFolder_ = runFolder;
    setCadence(extension.cadence());
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
    Impl::Prepare prepare = std::exchange(impl_->prepare, {});
    setState(prepare ? State::Preparing : after);
    impl_->thread = QThread::create([this, prepare, control, after, folder = runFolder_.toStdString()] {
        const State outcome = impl_->runLoop(this, prepare, *control, after, folder);
        QMetaObject::invokeMethod(this, [this, outcome] { onLoopEnded(outcome); }, Qt::QueuedConnection);
    });
    impl_->thread->setObjectName("training");
    impl_->thread->start();
}

TrainingWorker::State TrainingWorker::Impl::runLoop(TrainingWorker* worker, const Prepare& prepareNow,
                                                    TrainingControl& loopControl, State after,
                                                    const std::string& runFolder) {
    try {
        if (prepareNow) {
            // A failure keeps the previous run.
            auto built = std::make_shared<RunDriver>(prepareNow(), runFolder);
            const QString description = built->withJob<Trainer>([](Trainer& t) { return describe(t); });
            const qint64 step = built->step();
            {
                std::lock_guard<std::mutex> lock(cadenceMutex);
                built->setCadence(cadence);
                std::atomic_store(&driver, built);
            }
            // A run resumed in its own folder shows its curve so far (another folder has no rows yet);
            // read here, off the GUI thread: a long run's metrics.csv holds many thousands of rows.
            if (step > 0)
                for (const MetricsRow& r : readMetricsRows(built->folder().metrics(), step))
                    records->push({r.step, r.wallSeconds, r.loss, r.learningRate, r.gradNorm, r.imagesPerSecond, 0.0});
            QMetaObject::invokeMethod(worker, [worker, description, step, after] {
                worker->description_ = description;
                emit worker->runPrepared(description, step);
                if (worker->state_ == State::Preparing) worker->setState(after);
            }, Qt::QueuedConnection);
        }
        RunEvents events;
        events.onStep = [this](const StepStats& s) {
            records->push({s.step, s.elapsedSeconds, s.loss, s.learningRate, s.gradNorm, s.imagesPerSecond, s.progress});
        };
        const SampleSpace space = currentDriver()->withJob<Trainer>([](Trainer& t) { return t.config().data.space; });
        events.onPreview = [worker, space](const torch::Tensor& samples, int64_t step) {
            if (space.isPoints()) emit worker->previewPoints(toPoints(samples), step);   // (N,2)
            else emit worker->previewImage(gridImage(samples, kPreviewColumns, kPreviewPadding), step);   // (N,C,H,W)
        };
        events.onSaved = [worker](const std::string& checkpoint) {
            emit worker->checkpointWritten(QString::fromStdString(checkpoint));
        };
        // A full disk pauses the run instead of ending it: free space, then Resume saves again.
        events.onSaveFailed = [worker](const std::string& reason) {
            const QString message = QObject::tr("Autosave failed: %1. Training is paused: make room, then Resume saves again.")
                                        .arg(QString::fromStdString(reason));
            QMetaObject::invokeMethod(worker, [worker, message] {
                worker->setState(State::Paused);
                emit worker->failed(message);
            }, Qt::QueuedConnection);
        };
        return currentDriver()->run(loopControl, events) == RunOutcome::Finished ? State::Finished : State::Stopped;
    } catch (const std::exception& e) {
        emit worker->failed(QString::fromStdString(e.what()));
        return State::Failed;
    }
}

QString TrainingWorker::Impl::save(TrainingWorker* worker, const std::string& path) {
    try {
        currentDriver()->saveCheckpointTo(path);
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(path + ": cannot save the checkpoint: " + e.what());
        emit worker->failed(message);
        return message;
    }
    emit worker->checkpointWritten(QString::fromStdString(path));
    return {};
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
