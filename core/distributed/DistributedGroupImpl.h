#pragma once
// DistributedGroup's c10d parts, for the files of core/distributed/ only: the
// c10d headers are heavy (and need USE_C10D_GLOO, which LibTorch's CMake package sets).
#include <chrono>
#include <string>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "distributed/DistributedGroup.h"

namespace ddpm {

// ProcessGroupGloo and ProcessGroupNCCL have the same collective calls on LibTorch 1.13
// (a ProcessGroup) and 2.x (a Backend); the group keeps the common base of both.
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

struct DistributedGroup::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<CollectiveBackend> collectives;
    std::chrono::milliseconds timeout{0};
    torch::Device device{torch::kCPU};   // where the collectives' tensors live: the CPU for Gloo, this rank's GPU for NCCL

    // Waits for a collective; false on a timeout. Throws what the backend throws.
    bool wait(const c10::intrusive_ptr<c10d::Work>& work) const { return work->wait(timeout); }
};

// A failure of c10d or Gloo as one line, without the C++ backtrace c10::Error carries.
std::string conciseMessage(const std::exception& e);

}  // namespace ddpm
