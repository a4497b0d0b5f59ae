#pragma once
// Between a Dataset's uint8 pixels and the tensors models see.
#include <cstdint>

#include <torch/types.h>

namespace ddpm {

struct Dataset;

// Items [begin, begin+count) of an image dataset: (count,C,H,W) uint8, a copy on the CPU.
torch::Tensor datasetImages(const Dataset& dataset, int64_t begin, int64_t count);
// Their labels: (count) int64 on the CPU; the dataset must have labels.
torch::Tensor datasetLabels(const Dataset& dataset, int64_t begin, int64_t count);
// pixels (N,C,H,W) uint8 -> float in [-1,1], the range every model here works in.
torch::Tensor toSignedUnit(const torch::Tensor& pixels);

}  // namespace ddpm
