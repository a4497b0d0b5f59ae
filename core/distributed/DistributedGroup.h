#pragma once
// One process's membership of a data-parallel run over c10d, the distributed engine
// LibTorch ships (the layer under PyTorch's DistributedDataParallel): a TCPStore for
// the rendezvous and a process group (Gloo on CPUs, NCCL on CUDA where built in) for
// the collectives. Every failure (a peer that never comes, a port in use, a peer that
// died, a timeout) is a DistributedError naming this rank and the cause; no call
// waits longer than the group's timeout.
//
// The c10d headers stay in the .cpp files: this header is cheap to include.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ddpm {

class DistributedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class DistributedBackend { Gloo, Nccl };
DistributedBackend distributedBackendFromString(const std::string& name);   // "gloo", "nccl"; throws invalid_argument
std::string toString(DistributedBackend backend);

struct DistributedOptions {
    std::string masterAddress = "127.0.0.1";
    int masterPort = 29500;
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;   // the ranks on this machine, which share its memory
    DistributedBackend backend = DistributedBackend::Gloo;
    double timeoutSeconds = 600;   // the rendezvous and every collective
    // The launcher hosts the TCPStore (ddpm train --nproc, torchrun's agent); otherwise rank 0 does.
    bool launcherHostsStore = false;

    // From the torchrun environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
    // TORCHELASTIC_USE_AGENT_STORE); nullopt when WORLD_SIZE is unset. A malformed or
    // inconsistent value is a DistributedError naming the variable.
    static std::optional<DistributedOptions> fromEnvironment();
    std::string describe() const;   // "rank 1 of 3 (gloo, 127.0.0.1:29500)"
};

class DistributedGroup {
public:
    // Joins the group: waits up to the timeout for every rank to arrive.
    explicit DistributedGroup(const DistributedOptions& options);
    ~DistributedGroup();
    DistributedGroup(const DistributedGroup&) = delete;
    DistributedGroup& operator=(const DistributedGroup&) = delete;

    int rank() const { return options_.rank; }
    int size() const { return options_.worldSize; }
    bool isLeader() const { return options_.rank == 0; }
    const DistributedOptions& options() const { return options_; }

    // Rank 0's value, on every rank.
    int64_t broadcastFromLeader(int64_t value);
    // Element-wise sums over the ranks (a few scalars: losses, clocks, checksums).
    std::vector<double> sumOverRanks(const std::vector<double>& values);
    // Rank 0's tensors copied into every rank's (same shapes, on the group's device).
    void broadcastFromLeader(std::vector<torch::Tensor>& tensors);
    void barrier();
    // Every rank's value or a DistributedError on every rank saying which ranks differ.
    void checkSameOnEveryRank(double value, const std::string& what);

    // The c10d process group, as an opaque handle for GradientReducer (c10d/ProcessGroupHandle.h).
    struct Impl;
    Impl& impl() { return *impl_; }

private:
    // Runs a collective; a failure becomes a DistributedError naming the rank and `what`.
    template <typename F>
    auto guarded(const char* what, F&& f) -> decltype(f());

    DistributedOptions options_;
    std::unique_ptr<Impl> impl_;
};

// The rendezvous that a launcher hosts for the ranks it starts (ddpm train --nproc):
// a TCPStore server, on a free port when `port` is 0.
class RendezvousHost {
public:
    RendezvousHost(const std::string& address, int port, double timeoutSeconds);
    ~RendezvousHost();
    int port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "rank 1 of 3: " for messages, or "" when `group` is null (a single process).
std::string rankPrefix(const DistributedGroup* group);

}  // namespace ddpm
