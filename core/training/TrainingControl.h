#pragma once
// Thread-safe pause / resume / single-step / cancel for a training loop that
// runs on another thread. Each takes effect before the loop's next step.
#include <condition_variable>
#include <mutex>

namespace ddpm {

class TrainingControl {
public:
    void pause();
    void resume();
    void stepOnce();   // while paused: let exactly one more step run
    void cancel();
    bool isPaused() const;
    bool isCancelled() const;

    // Called by the loop before each step: waits while paused; false once cancelled.
    bool waitToProceed();

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool paused_ = false, cancelled_ = false;
    int pendingSteps_ = 0;
};

}  // namespace ddpm
