#pragma once
// Which training items each step sees: the data-order stage between a dataset
// and the trainer (dataset → sampler → batch), with a generator of its own, so
// that a run's batches depend on its seed alone and resume exactly.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace ddpm {

class BatchSampler {
public:
    // Batches of batchSize indices into [0, itemCount), drawn uniformly with replacement.
    BatchSampler(int64_t itemCount, int64_t batchSize, at::Generator generator);

    torch::Tensor next();   // (batchSize) int64 on the CPU

    torch::Tensor state() const;                  // for the checkpoint
    void setState(const torch::Tensor& state);    // throws if it is not a generator state

private:
    int64_t itemCount_, batchSize_;
    at::Generator generator_;
};

}  // namespace ddpm
