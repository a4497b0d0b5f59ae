#pragma once
// Drives one training run for every front end (ddpm train, ddpm train-vae, the
// Train tab) and every kind of job (a denoiser, an autoencoder: TrainingJob.h):
// the step loop with pause / single step / cancel, the cadence of previews and
// saves, the run folder's files (RunFolder), metrics.csv and the picture kept at
// each save. The front ends only choose settings and show what the events report.
// In a data-parallel run (a DistributedGroup), rank 0 alone writes the run folder,
// and its decisions (step, stop, finish) reach every rank before each step, so that
// all stop on the same step.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <torch/types.h>

#include "training/RunCadence.h"
#include "training/RunFolder.h"
#include "training/TrainingControl.h"
#include "training/TrainingJob.h"

namespace ddpm {

// Called on the driver's thread.
struct RunEvents {
    std::function<void(const StepStats&)> onStep;
    // A glance at the model (TrainingJob::preview): images in [-1,1] or points.
    std::function<void(const torch::Tensor& samples, int64_t step)> onPreview;
    std::function<void(const std::string& checkpoint)> onSaved;   // after each save, with model.ckpt's path
    // A save that could not be written (a full disk). With this set, the run pauses through its
    // control and is told why; resuming retries the save. Without it, the error ends run().
    std::function<void(const std::string& reason)> onSaveFailed;
};

enum class RunOutcome { Finished, Stopped };

class DistributedGroup;

class RunDriver {
public:
    // Takes over the job; writes into `folder` (created). metrics.csv is continued when
    // the job resumes a checkpoint (its step > 0), started afresh otherwise. With a group,
    // ranks other than 0 write nothing and follow rank 0's decisions.
    RunDriver(std::unique_ptr<TrainingJob> job, const std::string& folder,
              std::shared_ptr<DistributedGroup> group = nullptr);
    ~RunDriver();

    void setCadence(const RunCadence& cadence);   // any thread; takes effect at the next step
    // Steps until the horizon, then saves and writes the final samples (Finished); or until
    // a cancel through `control` (Stopped, nothing more written). May be called again to
    // continue a stopped run. Throws what the trainer throws (NonFiniteError, ...).
    RunOutcome run(TrainingControl& control, const RunEvents& events);

    // The checkpoint alone, to any path (atomically). Any thread.
    void saveCheckpointTo(const std::string& path);

    bool finished() const { return finished_; }
    int64_t step() const { return step_; }
    // Steps trained since the last checkpoint this driver wrote (an autosave or saveCheckpointTo),
    // or since the checkpoint it resumed: what closing now would lose. Never on a rank that writes nothing.
    bool hasUnsavedSteps() const { return writes() && step_ > savedStep_; }
    bool isHeld() const { return held_; }   // paused between steps: no step is in flight
    const RunFolder& folder() const { return folder_; }
    // f(Job&) under the driver's lock, between steps: to describe or sample the run.
    // Job is the job's own type (Trainer, AutoencoderTrainer); std::bad_cast if it is another.
    template <typename Job = TrainingJob, typename F>
    auto withJob(F&& f) {
        std::lock_guard<std::mutex> lock(mutex_);
        return f(dynamic_cast<Job&>(*job_));
    }

private:
    class MetricsLog;
    enum class Decision : int64_t { Step = 0, Stop = 1, Finish = 2 };
    // What comes next: rank 0's (or a lone process's) choice, waiting while paused; every rank's.
    Decision nextDecision(TrainingControl& control);
    bool writes() const;   // this process writes the run folder
    // A glance at the model between steps (takes mutex_).
    torch::Tensor drawPreview(const TrainingControl& control);
    // model.ckpt, a step snapshot, metrics.csv on disk and the job's save image; takes mutex_.
    void saveRun(bool end);
    // saveRun, or with events.onSaveFailed set: on failure, pauses the control, reports it and returns false.
    bool saveOrPause(bool end, TrainingControl& control, const RunEvents& events);

    std::mutex mutex_;                   // held for each step, preview and save
    std::unique_ptr<TrainingJob> job_;   // guarded by mutex_
    RunFolder folder_;
    std::unique_ptr<MetricsLog> metrics_;
    std::mutex cadenceMutex_;
    RunCadence cadence_;
    std::atomic<bool> finished_{false}, held_{false};
    std::atomic<int64_t> step_{0}, savedStep_{0};
    std::shared_ptr<DistributedGroup> group_;
};

}  // namespace ddpm
