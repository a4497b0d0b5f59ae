#pragma once
// A module's parameters and buffers as stored in a file: loaded with every
// tensor checked against the module that was built for it, and summed into a
// checksum so that damage after writing is found on load.
#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>

namespace ddpm {

// Loads `archive` into `module`, then checks that each parameter and buffer has the shape and
// dtype it was built with (LibTorch's load silently takes whatever shape the file holds).
// Throws std::runtime_error naming the tensor and both shapes.
void loadModuleState(torch::nn::Module& module, torch::serialize::InputArchive& archive);

// CRC-32 over every parameter's and buffer's name, shape and bytes, in registration order.
uint32_t moduleStateChecksum(const torch::nn::Module& module);
// The checksums of the modules a file holds, as the (N) int64 tensor stored beside their weights.
torch::Tensor moduleStateChecksums(const std::vector<const torch::nn::Module*>& modules);
// Whether `module` matches entry `index` of a stored checksum tensor written for `count` modules.
// An undefined tensor (a file from before files carried checksums) matches.
bool matchesStoredChecksum(const torch::nn::Module& module, const torch::Tensor& stored, int64_t index, int64_t count);

}  // namespace ddpm
