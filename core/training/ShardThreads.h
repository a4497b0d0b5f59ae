#pragma once
// A fixed team of threads, each with its own intra-op thread count, that runs
// one task per thread and waits for all of them. Data-parallel training on a
// CPU uses it: on small batches two single-threaded model replicas beat one
// two-threaded model (README, "Measured figures"), because a lone model leaves
// the second core waiting while the first dispatches small operators.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ddpm {

class ShardThreads {
public:
    ShardThreads(int count, int intraOpThreadsEach);
    ~ShardThreads();
    ShardThreads(const ShardThreads&) = delete;
    ShardThreads& operator=(const ShardThreads&) = delete;

    int size() const { return int(threads_.size()); }
    // Runs tasks[i] on thread i (tasks.size() == size()) and returns when all
    // are done; rethrows the first task's exception.
    void run(const std::vector<std::function<void()>>& tasks);

private:
    void loop(int index);

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> threads_;
    const std::vector<std::function<void()>>* tasks_ = nullptr;
    uint64_t generation_ = 0;
    int pending_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
};

// How many data-parallel shards a CPU batch of `batchSize` is worth on
// `threads` intra-op threads: one per thread while each keeps at least
// kMinShardBatch images; 1 means no sharding.
constexpr int kMinShardBatch = 16;
int cpuShardCount(int64_t batchSize, int threads);

}  // namespace ddpm
