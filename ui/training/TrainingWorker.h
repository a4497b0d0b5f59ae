#pragma once
// Owns one training run (core's RunDriver, the same that drives ddpm train)
// and runs its loop on a thread of its own, like Qt's Mandelbrot example: the
// GUI calls the slots, which only set state through core's TrainingControl
// (each takes effect before the next step); results come back as queued
// signals, and the per-step figures through a StepRecordBuffer the view
// drains on a timer.
//
// The driver draws the previews and saves into the run folder at the
// cadence set here (RunFolder says which files). Saving on request runs on a
// pool thread and waits for the step in flight, so it works while training,
// paused or stopped.
//
// No torch in this header (pimpl): the rest of ui includes it freely.
#include <QImage>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QVector>
#include <memory>

#include "dataset/DatasetPtr.h"
#include "training/RunCadence.h"
#include "training/TrainSettings.h"

namespace ddpm::ui {

class StepRecordBuffer;

class TrainingWorker : public QObject {
    Q_OBJECT

public:
    enum class State {
        Idle,        // no run yet
        Preparing,   // building the model / reading a checkpoint
        Running,
        Paused,
        Stopped,     // the loop ended on request; the run can be saved or resumed
        Finished,    // the run reached its length
        Failed,      // see failed(message); a run that existed before is kept
    };
    Q_ENUM(State)

    // records receives one StepRecord per step; it must outlive the worker.
    explicit TrainingWorker(StepRecordBuffer* records, QObject* parent = nullptr);
    ~TrainingWorker() override;   // stops the loop and waits for it

    State state() const { return state_; }
    bool hasRun() const;                   // a trainer exists (it can be saved)
    bool hasUnsavedSteps() const;          // steps since the run's last checkpoint (stopped runs included)
    // model.ckpt in the folder of the run that holds those steps: a latent run's autoencoder has its
    // own, and a Start or Open that failed leaves the previous run's. "" without a run.
    QString runCheckpoint() const;
    bool canContinue() const;              // Paused, or Stopped before the run's end: resume() goes on
    bool isActive() const;                 // Preparing, Running or Paused: the thread is busy
    qint64 completedSteps() const;         // steps of the current run, updated after each step
    bool isHeld() const;                   // paused and waiting between steps: no step is in flight
    QString runFolder() const { return runFolder_; }
    QString description() const { return description_; }   // model and parameter count

public slots:
    // A new run from the settings on the dataset, autosaving into runFolder. A latent run
    // with no autoencoder chosen trains one first (in runFolder/autoencoder, for the
    // settings' autoencoder minutes), then the diffusion model on its latents.
    void startFresh(const ddpm::ui::TrainSettings& settings, ddpm::ui::DatasetPtr dataset, const QString& runFolder);
    // Reads a checkpoint and resumes it exactly, paused (resume() continues it).
    // A run that has reached its length continues for `extension`'s steps or minutes.
    void openCheckpoint(const QString& path, ddpm::ui::DatasetPtr dataset, const QString& runFolder,
                        const ddpm::ui::TrainSettings& extension);
    void setCadence(const ddpm::RunCadence& cadence);   // takes effect at the next step
    void pause();
    void resume();     // also continues a stopped run
    void stepOnce();   // while paused: exactly one more step
    void stop();
    // Writes the run's checkpoint atomically (off the GUI thread); checkpointWritten or failed follows.
    void saveCheckpoint(const QString& path);
    // For closing: stops and waits up to timeoutMs for the loop to end; true if it did.
    bool stopAndWait(int timeoutMs);
    // For closing: saves on a pool thread and waits for it; "" on success, else the reason.
    QString saveCheckpointAndWait(const QString& path);

signals:
    void stateChanged(ddpm::ui::TrainingWorker::State state);
    void runPrepared(const QString& description, qint64 step);   // model ready at this step
    void phaseEnded();   // a latent run's autoencoder is trained: the diffusion model's curves start afresh
    void previewImage(const QImage& grid, qint64 step);
    void previewReconstructions(const QImage& grid, qint64 step);   // an autoencoder trained first
    void previewPoints(const QVector<QPointF>& points, qint64 step);
    // samplable: a diffusion model the other tabs can load, not a latent run's autoencoder.
    void checkpointWritten(const QString& path, bool samplable);
    void checkpointOpened(const QString& path);   // read and ready to resume
    void failed(const QString& message);

private:
    struct Impl;
    // Starts the loop thread; `after` is the state once the trainer exists (Running or Paused).
    void launch(State after);
    void setState(State state);
    void onLoopEnded(State outcome);

    std::unique_ptr<Impl> impl_;
    State state_ = State::Idle;
    QString runFolder_, description_;
};

}  // namespace ddpm::ui
