#pragma once
// Drives one training run for every front end (ddpm train, the Train tab): the
// step loop with pause / single step / cancel, the cadence of previews and
// saves, the run folder's files (RunFolder), metrics.csv and the final samples.
// The front ends only choose settings and show what the events report.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <torch/types.h>

#include "sampling/SamplingParameters.h"
#include "training/RunCadence.h"
#include "training/RunFolder.h"
#include "training/Trainer.h"
#include "training/TrainingControl.h"

namespace ddpm {

// Called on the driver's thread.
struct RunEvents {
    std::function<void(const StepStats&)> onStep;
    // A glance at the EMA model: (16,C,H,W) in [-1,1] or (1000,2) points, the same noise each time.
    std::function<void(const torch::Tensor& samples, int64_t step)> onPreview;
    std::function<void(const std::string& checkpoint)> onSaved;   // after each save, with model.ckpt's path
    // A save that could not be written (a full disk). With this set, the run pauses through its
    // control and is told why; resuming retries the save. Without it, the error ends run().
    std::function<void(const std::string& reason)> onSaveFailed;
};

enum class RunOutcome { Finished, Stopped };

class RunDriver {
public:
    // Takes over the trainer; writes into `folder` (created). metrics.csv is continued when
    // the trainer resumes a checkpoint (its step > 0), started afresh otherwise.
    RunDriver(std::unique_ptr<Trainer> trainer, const std::string& folder);
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
    bool isHeld() const { return held_; }   // paused between steps: no step is in flight
    const RunFolder& folder() const { return folder_; }
    // f(Trainer&) under the driver's lock, between steps: to describe or sample the run.
    template <typename F>
    auto withTrainer(F&& f) {
        std::lock_guard<std::mutex> lock(mutex_);
        return f(*trainer_);
    }

private:
    class MetricsLog;
    // A glance at the EMA model between steps (takes mutex_).
    torch::Tensor drawPreview(const TrainingControl& control);
    // With mutex_ held.
    torch::Tensor drawSamples(const SamplingParameters& parameters, const TrainingControl* control);
    // model.ckpt, a step snapshot, metrics.csv on disk and a sample grid (the final one at the end); takes mutex_.
    void saveRun(bool end);
    // saveRun, or with events.onSaveFailed set: on failure, pauses the control, reports it and returns false.
    bool saveOrPause(bool end, TrainingControl& control, const RunEvents& events);

    std::mutex mutex_;                   // held for each step, preview and save
    std::unique_ptr<Trainer> trainer_;   // guarded by mutex_
    RunFolder folder_;
    std::unique_ptr<MetricsLog> metrics_;
    std::mutex cadenceMutex_;
    RunCadence cadence_;
    std::atomic<bool> finished_{false}, held_{false};
    std::atomic<int64_t> step_{0};
};

}  // namespace ddpm
