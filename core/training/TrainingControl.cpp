#include "training/TrainingControl.h"

namespace ddpm {

void TrainingControl::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = true;
}

void TrainingControl::resume() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = false;
    }
    changed_.notify_all();
}

void TrainingControl::stepOnce() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = true;
        ++pendingSteps_;
    }
    changed_.notify_all();
}

void TrainingControl::cancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        cancelled_ = true;
    }
    changed_.notify_all();
}

bool TrainingControl::isPaused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_;
}

bool TrainingControl::isCancelled() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_;
}

bool TrainingControl::waitToProceed() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || !paused_ || pendingSteps_ > 0; });
    if (cancelled_) return false;
    if (paused_) --pendingSteps_;
    return true;
}

}  // namespace ddpm
