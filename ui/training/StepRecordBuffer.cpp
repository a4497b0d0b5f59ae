#include "training/StepRecordBuffer.h"

namespace ddpm::ui {

void StepRecordBuffer::push(const StepRecord& record) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(record);
}

std::vector<StepRecord> StepRecordBuffer::takeAll() {
    std::vector<StepRecord> taken;
    std::lock_guard<std::mutex> lock(mutex_);
    taken.swap(pending_);   // the pusher starts a fresh vector; no copy under the lock
    return taken;
}

void StepRecordBuffer::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.clear();
}

}  // namespace ddpm::ui
