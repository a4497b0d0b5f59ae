#pragma once
// What RunDriver drives: a model trained one optimizer step at a time on the
// caller's thread. The diffusion Trainer and the AutoencoderTrainer are jobs;
// the driver's loop, cadence, pause and stop, run folder and metrics.csv are
// written once for both.
#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "training/TrainingProgress.h"

namespace ddpm {

class RunFolder;

struct StepStats {
    int64_t step = 0;            // steps completed, including this one
    double loss = 0;
    double learningRate = 0;
    double gradNorm = 0;         // before clipping
    double imagesPerSecond = 0;  // smoothed
    double elapsedSeconds = 0;   // training time so far (pauses excluded)
    double progress = 0;         // 0 … 1 of the horizon
    std::vector<double> extra;   // the job's own metrics, in extraMetricNames() order
};

// Times a job's steps: start() before one, finish() after its optimizer step counts it in
// the progress (its time included) and fills the stats every job reports, with the
// throughput smoothed over steps.
class StepMeter {
public:
    void start() { started_ = std::chrono::steady_clock::now(); }
    StepStats finish(TrainingProgress& progress, int64_t items, double loss, double learningRate, double gradNorm) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        ++progress.step;
        progress.trainedSeconds += seconds;
        const double ips = double(items) / std::max(seconds, 1e-9);
        imagesPerSecond_ = imagesPerSecond_ == 0 ? ips : 0.9 * imagesPerSecond_ + 0.1 * ips;
        StepStats stats;
        stats.step = progress.step;
        stats.loss = loss;
        stats.learningRate = learningRate;
        stats.gradNorm = gradNorm;
        stats.imagesPerSecond = imagesPerSecond_;
        stats.elapsedSeconds = progress.trainedSeconds;
        stats.progress = progress.fraction();
        return stats;
    }

private:
    std::chrono::steady_clock::time_point started_;
    double imagesPerSecond_ = 0;
};

class TrainingJob {
public:
    virtual ~TrainingJob() = default;

    virtual StepStats step() = 0;   // one optimizer step
    virtual const TrainingProgress& progress() const = 0;
    bool finished() const { return progress().finished(); }
    // The horizon: steps, seconds, or both (whichever comes first).
    virtual void setHorizon(int64_t steps, double seconds) = 0;
    virtual void save(const std::string& path) = 0;   // the checkpoint, atomically

    // metrics.csv's columns after the common ones (kMetricsHeader).
    virtual std::vector<std::string> extraMetricNames() const { return {}; }
    // Throws std::invalid_argument when one step cannot fit in this machine's memory, before the
    // run writes anything (the diffusion trainer estimates it; an autoencoder's steps are not checked).
    virtual void requireStepFitsInMemory() const {}
    // A glance at the model for the live view: images (N,C,H,W) in [-1,1] or (N,2) points.
    // Throws Cancelled when keepGoing() turns false.
    virtual torch::Tensor preview(const std::function<bool()>& keepGoing) = 0;
    // The picture kept beside each save (end: the run's last) in `folder`.
    virtual void writeSaveImage(const RunFolder& folder, bool end) = 0;
};

}  // namespace ddpm
