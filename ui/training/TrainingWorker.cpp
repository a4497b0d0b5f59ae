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
#include "autoencoder/AutoencoderTrainer.h"
#include "training/AutoencoderSource.h"
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

// Where a latent run trains its autoencoder first, inside its run folder.
QString autoencoderFolder(const QString& runFolder) { return runFolder + QStringLiteral("/autoencoder"); }

constexpr int kPreviewColumns = 4;   // the preview's 16 images as a 4×4 grid
constexpr int kPreviewPadding = 2;

QString describeAutoencoder(AutoencoderTrainer& trainer) {
    return QObject::tr("Autoencoder first (then diffusion on its latents): %1, %2 parameters")
        .arg(QString::fromStdString(trainer.config().model.describe()),
             QLocale().toString(qlonglong(trainer.autoencoder().model->parameterCount())));
}

// A diffusion model's run, not the autoencoder a latent run trains first.
bool trainsDiffusion(RunDriver& driver) {
    return driver.withJob([](TrainingJob& job) { return dynamic_cast<Trainer*>(&job) != nullptr; });
}

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
    struct PreparedJob {
        std::unique_ptr<TrainingJob> job;
        std::string folder;   // its run folder
    };
    using Prepare = std::function<PreparedJob()>;

    StepRecordBuffer* records = nullptr;
    // Set on the loop's thread, read on any: std::atomic_load / atomic_store only.
    std::shared_ptr<RunDriver> driver;
    std::shared_ptr<TrainingControl> control;   // one per loop: a cancel is final
    QThread* thread = nullptr;
    Prepare prepare;                            // builds the job at the start of the next loop
    // Builds the job that follows when the current one reaches its end: a latent run's
    // diffusion model after its autoencoder. Loop thread only once a loop has started.
    Prepare then;
    std::shared_ptr<RunDriver> currentDriver() const { return std::atomic_load(&driver); }
    std::mutex cadenceMutex;                    // set on the GUI thread, taken up by a new driver
    RunCadence cadence;
    QFutureSynchronizer<void> saves;

    // The training loop, on the loop's thread. Returns how it ended.
    State runLoop(TrainingWorker* worker, Prepare prepareNow, TrainingControl& loopControl, State after);
    // Builds the job and makes its driver the current one; tells the view.
    void install(TrainingWorker* worker, const Prepare& prepareNow, State after);
    // Runs the current driver until its end or a stop, reporting to the view.
    RunOutcome runCurrent(TrainingWorker* worker, TrainingControl& loopControl, bool diffusion);
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

bool TrainingWorker::hasUnsavedSteps() const {
    const auto driver = impl_->currentDriver();
    return driver && driver->hasUnsavedSteps();
}

QString TrainingWorker::runCheckpoint() const {
    const auto driver = impl_->currentDriver();
    return driver ? QString::fromStdString(driver->folder().checkpoint()) : QString();
}

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
    auto diffusion = [dataset, folder = runFolder.toStdString()](const TrainSettings& settings) {
        return [settings, dataset, folder] {
            const torch::Device device = selectDevice("auto");
            std::shared_ptr<TrainedAutoencoder> autoencoder;
            if (settings.latent && !settings.autoencoder.isEmpty() && !dataset->isPoints())
                autoencoder = loadAutoencoderFrom(settings.autoencoder.toStdString(), device);
            auto trainer = std::make_unique<Trainer>(runConfigFromSettings(settings, *dataset, autoencoder.get()),
                                                     *dataset, device, autoencoder);
            setHorizon(*trainer, settings);
            return Impl::PreparedJob{std::move(trainer), folder};
        };
    };
    impl_->then = {};
    if (settings.latent && settings.autoencoder.isEmpty() && !dataset->isPoints()) {
        // No autoencoder chosen: train one first, for the minutes the settings give it, then the
        // diffusion model on its latents.
        const QString folder = autoencoderFolder(runFolder);
        impl_->prepare = [settings, dataset, folder = folder.toStdString()] {
            AutoencoderTrainingConfig config;
            config.model.inChannels = dataset->channels;
            config.model.resolution = dataset->width;
            config.dataIdentity = dataset->identity();
            auto trainer = std::make_unique<AutoencoderTrainer>(config, *dataset, selectDevice("auto"));
            trainer->setHorizon(0, 60.0 * settings.autoencoderMinutes);
            return Impl::PreparedJob{std::move(trainer), folder};
        };
        TrainSettings second = settings;
        second.autoencoder = folder + QStringLiteral("/model.ckpt");
        impl_->then = diffusion(second);
    } else {
        impl_->prepare = diffusion(settings);
    }
    launch(State::Running);
}

void TrainingWorker::openCheckpoint(const QString& path, DatasetPtr dataset, const QString& runFolder,
                                    const TrainSettings& extension) {
    if (isActive() || !dataset) return;
    runFolder_ = runFolder;
    setCadence(extension.cadence());
    impl_->then = {};
    impl_->prepare = [this, path, dataset, extension, folder = runFolder.toStdString()] {
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
        return Impl::PreparedJob{std::move(trainer), folder};
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
    impl_->thread = QThread::create([this, prepare, control, after] {
        const State outcome = impl_->runLoop(this, prepare, *control, after);
        QMetaObject::invokeMethod(this, [this, outcome] { onLoopEnded(outcome); }, Qt::QueuedConnection);
    });
    impl_->thread->setObjectName("training");
    impl_->thread->start();
}

void TrainingWorker::Impl::install(TrainingWorker* worker, const Prepare& prepareNow, State after) {
    // A failure keeps the previous run.
    PreparedJob prepared = prepareNow();
    auto built = std::make_shared<RunDriver>(std::move(prepared.job), prepared.folder);
    const QString description = built->withJob([](TrainingJob& job) {
        if (auto* trainer = dynamic_cast<Trainer*>(&job)) return describe(*trainer);
        return describeAutoencoder(dynamic_cast<AutoencoderTrainer&>(job));
    });
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

TrainingWorker::State TrainingWorker::Impl::runLoop(TrainingWorker* worker, Prepare prepareNow,
                                                    TrainingControl& loopControl, State after) {
    try {
        for (;;) {
            if (prepareNow) install(worker, prepareNow, after);
            const bool diffusion = trainsDiffusion(*currentDriver());
            if (runCurrent(worker, loopControl, diffusion) == RunOutcome::Stopped) return State::Stopped;
            if (!then) return State::Finished;
            // The autoencoder is trained: on to the diffusion model, with curves of its own.
            prepareNow = std::exchange(then, {});
            records->clear();
            QMetaObject::invokeMethod(worker, [worker] { emit worker->phaseEnded(); }, Qt::QueuedConnection);
        }
    } catch (const std::exception& e) {
        emit worker->failed(QString::fromStdString(e.what()));
        return State::Failed;
    }
}

RunOutcome TrainingWorker::Impl::runCurrent(TrainingWorker* worker, TrainingControl& loopControl, bool diffusion) {
    RunEvents events;
    events.onStep = [this](const StepStats& s) {
        records->push({s.step, s.elapsedSeconds, s.loss, s.learningRate, s.gradNorm, s.imagesPerSecond, s.progress});
    };
    // An autoencoder's preview is pictures too (held-out images above their reconstructions).
    const bool points =
        diffusion && currentDriver()->withJob<Trainer>([](Trainer& t) { return t.config().data.space.isPoints(); });
    events.onPreview = [worker, points, diffusion](const torch::Tensor& samples, int64_t step) {
        if (points) emit worker->previewPoints(toPoints(samples), step);   // (N,2)
        else if (diffusion) emit worker->previewImage(gridImage(samples, kPreviewColumns, kPreviewPadding), step);
        else emit worker->previewReconstructions(gridImage(samples, kPreviewColumns, kPreviewPadding), step);
    };
    // An autoencoder's autosaves are not models to sample: the other tabs hear of diffusion ones only.
    if (diffusion)
        events.onSaved = [worker](const std::string& checkpoint) {
            emit worker->checkpointWritten(QString::fromStdString(checkpoint), true);
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
    return currentDriver()->run(loopControl, events);
}

QString TrainingWorker::Impl::save(TrainingWorker* worker, const std::string& path) {
    bool samplable = false;
    try {
        const std::shared_ptr<RunDriver> saving = currentDriver();   // one driver: a new phase may replace it
        saving->saveCheckpointTo(path);
        samplable = trainsDiffusion(*saving);
    } catch (const std::exception& e) {
        const QString message = QString::fromStdString(path + ": cannot save the checkpoint: " + e.what());
        emit worker->failed(message);
        return message;
    }
    emit worker->checkpointWritten(QString::fromStdString(path), samplable);
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
