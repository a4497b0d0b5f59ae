#pragma once
// The hand-over of per-step training figures from the training thread to the
// GUI: the step callback pushes, the view's timer (every 30–50 ms) takes all
// that arrived since its last tick. Plain data, a mutex, no signals per step.
#include <QtGlobal>
#include <mutex>
#include <vector>

namespace ddpm::ui {

struct StepRecord {
    qint64 step = 0;               // optimizer steps done, including this one
    double seconds = 0;            // training time so far, pauses excluded
    double loss = 0;
    double learningRate = 0;
    double gradNorm = 0;           // before clipping
    double imagesPerSecond = 0;    // smoothed by the trainer
    double progress = 0;           // 0 … 1 of the run's horizon
};

class StepRecordBuffer {
public:
    void push(const StepRecord& record);   // any thread
    // Everything pushed since the last call, oldest first (empty if nothing came).
    std::vector<StepRecord> takeAll();
    void clear();

private:
    std::mutex mutex_;
    std::vector<StepRecord> pending_;
};

}  // namespace ddpm::ui
