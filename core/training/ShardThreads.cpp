#include "training/ShardThreads.h"

#include <algorithm>

#include <ATen/Parallel.h>

namespace ddpm {

int cpuShardCount(int64_t batchSize, int threads) {
    return int(std::max<int64_t>(1, std::min<int64_t>(threads, batchSize / kMinShardBatch)));
}

ShardThreads::ShardThreads(int count, int intraOpThreadsEach) {
    // at::set_num_threads sets the calling thread's OpenMP team size and also
    // the process-wide default that new threads start with: the workers set
    // theirs first, then the caller puts the default back.
    const int callerThreads = at::get_num_threads();
    int ready = 0;
    std::mutex readyMutex;
    std::condition_variable readyChanged;
    for (int i = 0; i < count; ++i)
        threads_.emplace_back([this, i, intraOpThreadsEach, &ready, &readyMutex, &readyChanged] {
            at::internal::lazy_init_num_threads();   // so that the first kernel does not reset what follows
            at::set_num_threads(intraOpThreadsEach);
            {
                // Notified under the lock: the constructor's locals die as soon as it sees the count.
                std::lock_guard<std::mutex> lock(readyMutex);
                ++ready;
                readyChanged.notify_one();
            }
            loop(i);
        });
    std::unique_lock<std::mutex> lock(readyMutex);
    readyChanged.wait(lock, [&] { return ready == count; });
    at::set_num_threads(callerThreads);
}

ShardThreads::~ShardThreads() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
}

void ShardThreads::run(const std::vector<std::function<void()>>& tasks) {
    std::unique_lock<std::mutex> lock(mutex_);
    tasks_ = &tasks;
    pending_ = int(threads_.size());
    error_ = nullptr;
    ++generation_;
    wake_.notify_all();
    done_.wait(lock, [this] { return pending_ == 0; });
    tasks_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void ShardThreads::loop(int index) {
    uint64_t seen = 0;
    for (;;) {
        const std::function<void()>* task = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            task = &(*tasks_)[size_t(index)];
        }
        std::exception_ptr error;
        try {
            (*task)();
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        if (error && !error_) error_ = error;
        if (--pending_ == 0) done_.notify_one();
    }
}

}  // namespace ddpm
