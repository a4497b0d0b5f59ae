#include "distributed/DistributedGroupImpl.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
// LibTorch's CMake package defines USE_C10D_GLOO, and USE_C10D_NCCL where it was built with
// NCCL; NCCL's own header must be there too.
#if defined(USE_C10D_NCCL) && __has_include(<nccl.h>)
#define DDPM_HAS_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace ddpm {

namespace {

// An environment variable as an integer in [low, high]; nullopt when unset.
std::optional<long> environmentInteger(const char* name, long low, long high) {
    const char* text = std::getenv(name);
    if (!text) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || value < low || value > high)
        throw DistributedError(std::string(name) + "='" + text + "' is not a whole number in " + std::to_string(low) +
                               "…" + std::to_string(high));
    return value;
}

bool isLoopback(const std::string& address) {
    return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

}  // namespace

std::string conciseMessage(const std::exception& e) {
    if (const auto* error = dynamic_cast<const c10::Error*>(&e)) {
        std::string text = error->what_without_backtrace();
        // c10 appends "Exception raised from … (most recent call first):" on some builds.
        const auto from = text.find("\nException raised from");
        if (from != std::string::npos) text.resize(from);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        return text;
    }
    return e.what();
}

DistributedBackend distributedBackendFromString(const std::string& name) {
    if (name == "gloo") return DistributedBackend::Gloo;
    if (name == "nccl") return DistributedBackend::Nccl;
    throw std::invalid_argument("unknown backend '" + name + "' (gloo, nccl)");
}

std::string toString(DistributedBackend backend) { return backend == DistributedBackend::Nccl ? "nccl" : "gloo"; }

std::optional<DistributedOptions> DistributedOptions::fromEnvironment() {
    const auto worldSize = environmentInteger("WORLD_SIZE", 1, 65536);
    if (!worldSize) return std::nullopt;
    DistributedOptions o;
    o.worldSize = int(*worldSize);
    const auto rank = environmentInteger("RANK", 0, *worldSize - 1);
    if (!rank) throw DistributedError("WORLD_SIZE is set but RANK is not");
    o.rank = int(*rank);
    o.localRank = int(environmentInteger("LOCAL_RANK", 0, 65535).value_or(0));
    o.localWorldSize = int(environmentInteger("LOCAL_WORLD_SIZE", 1, *worldSize).value_or(1));
    if (const char* address = std::getenv("MASTER_ADDR"); address && *address) o.masterAddress = address;
    else if (o.worldSize > 1) throw DistributedError("WORLD_SIZE is " + std::to_string(o.worldSize) + " but MASTER_ADDR is not set");
    const auto port = environmentInteger("MASTER_PORT", 1, 65535);
    if (!port && o.worldSize > 1) throw DistributedError("WORLD_SIZE is " + std::to_string(o.worldSize) + " but MASTER_PORT is not set");
    if (port) o.masterPort = int(*port);
    const char* agentStore = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    o.launcherHostsStore = agentStore && (std::string(agentStore) == "True" || std::string(agentStore) == "1");
    return o;
}

std::string DistributedOptions::describe() const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(worldSize) + " (" + toString(backend) + ", " +
           masterAddress + ":" + std::to_string(masterPort) + ")";
}

std::string rankPrefix(const DistributedGroup* group) {
    if (!group) return "";
    return "rank " + std::to_string(group->rank()) + " of " + std::to_string(group->size()) + ": ";
}

DistributedGroup::DistributedGroup(const DistributedOptions& options) : options_(options), impl_(std::make_unique<Impl>()) {
    const std::string where = options.masterAddress + ":" + std::to_string(options.masterPort);
    const std::string self = "rank " + std::to_string(options.rank) + " of " + std::to_string(options.worldSize) + ": ";
    if (options.worldSize < 1 || options.rank < 0 || options.rank >= options.worldSize)
        throw DistributedError(self + "the rank must be in 0…world size-1");
    impl_->timeout = std::chrono::milliseconds(int64_t(options.timeoutSeconds * 1000));
    const bool hostsStore = options.rank == 0 && !options.launcherHostsStore;
    try {
        c10d::TCPStoreOptions store;
        store.port = uint16_t(options.masterPort);
        store.isServer = hostsStore;
        store.numWorkers = size_t(options.worldSize);
        store.waitWorkers = false;
        store.timeout = impl_->timeout;
        impl_->store = c10::make_intrusive<c10d::TCPStore>(options.masterAddress, store);
    } catch (const std::exception& e) {
        throw DistributedError(self + (hostsStore ? "cannot listen on " + where + " (a port in use?)"
                                                  : "cannot reach the rendezvous at " + where) +
                               ": " + conciseMessage(e));
    }
    // torchrun's agent keeps its store across restarts of the ranks: each attempt's keys
    // under a prefix of their own, as PyTorch's ranks use them, so none reads a dead attempt's.
    if (const char* attempt = std::getenv("TORCHELASTIC_RESTART_COUNT"); attempt && options.launcherHostsStore)
        impl_->store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::string(attempt), impl_->store);
    try {
        if (options.backend == DistributedBackend::Nccl) {
#ifdef DDPM_HAS_NCCL
            impl_->device = torch::Device(torch::kCUDA, int8_t(options.localRank));
            auto nccl = c10d::ProcessGroupNCCL::Options::create();
            nccl->timeout = impl_->timeout;
            impl_->collectives = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, options.rank, options.worldSize, nccl);
#else
            throw DistributedError(self + "this build has no NCCL (build against a CUDA LibTorch with NCCL); use --backend gloo");
#endif
        } else {
            auto gloo = c10d::ProcessGroupGloo::Options::create();
            gloo->timeout = impl_->timeout;
            if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
                gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
            else if (isLoopback(options.masterAddress))
                gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                gloo->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            // Connects to every other rank through the store: waits for all of them.
            impl_->collectives = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, options.rank, options.worldSize, gloo);
        }
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedError(self + "the other ranks did not all join through " + where + " within " +
                               std::to_string(int(options.timeoutSeconds)) + " s: " + conciseMessage(e));
    }
}

DistributedGroup::~DistributedGroup() = default;

struct RendezvousHost::Impl {
    c10::intrusive_ptr<c10d::TCPStore> store;
};

RendezvousHost::RendezvousHost(const std::string& address, int port, double timeoutSeconds) : impl_(std::make_unique<Impl>()) {
    try {
        c10d::TCPStoreOptions options;
        options.port = uint16_t(port);
        options.isServer = true;
        options.waitWorkers = false;
        options.timeout = std::chrono::milliseconds(int64_t(timeoutSeconds * 1000));
        impl_->store = c10::make_intrusive<c10d::TCPStore>(address, options);
    } catch (const std::exception& e) {
        throw DistributedError("cannot listen on " + address + ":" + std::to_string(port) + ": " + conciseMessage(e));
    }
}

RendezvousHost::~RendezvousHost() = default;

int RendezvousHost::port() const { return impl_->store->getPort(); }

template <typename F>
auto DistributedGroup::guarded(const char* what, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::exception& e) {
        throw DistributedError(rankPrefix(this) + what + " failed (a rank stopped, died or lost its connection?): " +
                               conciseMessage(e));
    }
}

int64_t DistributedGroup::broadcastFromLeader(int64_t value) {
    return guarded("a broadcast from rank 0", [&] {
        std::vector<torch::Tensor> tensors{torch::tensor({value}, torch::kInt64).to(impl_->device)};
        if (!impl_->wait(impl_->collectives->broadcast(tensors))) throw DistributedError("timed out");
        return tensors[0].item<int64_t>();
    });
}

void DistributedGroup::broadcastFromLeader(std::vector<torch::Tensor>& tensors) {
    guarded("a broadcast from rank 0", [&] {
        for (auto& tensor : tensors) {
            std::vector<torch::Tensor> one{tensor.detach()};
            if (!impl_->wait(impl_->collectives->broadcast(one))) throw DistributedError("timed out");
        }
    });
}

std::vector<double> DistributedGroup::sumOverRanks(const std::vector<double>& values) {
    return guarded("a sum over the ranks", [&] {
        std::vector<torch::Tensor> tensors{torch::tensor(values, torch::kDouble).to(impl_->device)};
        if (!impl_->wait(impl_->collectives->allreduce(tensors))) throw DistributedError("timed out");
        const auto sums = tensors[0].cpu().contiguous();
        return std::vector<double>(sums.data_ptr<double>(), sums.data_ptr<double>() + sums.numel());
    });
}

void DistributedGroup::barrier() {
    guarded("a barrier", [&] {
        if (!impl_->wait(impl_->collectives->barrier())) throw DistributedError("timed out");
    });
}

void DistributedGroup::checkSameOnEveryRank(double value, const std::string& what) {
    // The largest and the smallest value at once: max(v) and max(-v).
    const auto extremes = guarded("a comparison over the ranks", [&] {
        std::vector<torch::Tensor> tensors{torch::tensor({value, -value}, torch::kDouble).to(impl_->device)};
        c10d::AllreduceOptions max;
        max.reduceOp = c10d::ReduceOp::MAX;
        if (!impl_->wait(impl_->collectives->allreduce(tensors, max))) throw DistributedError("timed out");
        const auto extremes = tensors[0].cpu();
        return std::make_pair(extremes[0].item<double>(), -extremes[1].item<double>());
    });
    if (extremes.first != extremes.second) {
        std::ostringstream message;
        message.precision(17);
        message << rankPrefix(this) << what << " differ between the ranks (this rank " << value << ", range "
                << extremes.second << " … " << extremes.first << ")";
        throw DistributedError(message.str());
    }
}

}  // namespace ddpm
