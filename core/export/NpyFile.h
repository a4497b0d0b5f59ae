#pragma once
// Writes a float32 tensor as a NumPy .npy file (version 1.0, little-endian, C
// order), atomically: the output of `ddpm encode-text`, which NumPy and the
// tests read back.
#include <string>

#include <torch/types.h>

namespace ddpm {

// values: any shape, converted to contiguous float32 on the CPU.
void writeFloatNpy(const std::string& path, const torch::Tensor& values);

}  // namespace ddpm
