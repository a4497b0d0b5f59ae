#include "training/BatchSampler.h"

#include <stdexcept>

#include "random/Generators.h"

namespace ddpm {

BatchSampler::BatchSampler(int64_t itemCount, int64_t batchSize, at::Generator generator)
    : itemCount_(itemCount), batchSize_(batchSize), generator_(std::move(generator)) {
    if (itemCount < 1 || batchSize < 1) throw std::invalid_argument("a batch sampler needs items and a batch size");
}

torch::Tensor BatchSampler::next() {
    return torch::randint(itemCount_, {batchSize_}, generator_, torch::TensorOptions().dtype(torch::kInt64));
}

torch::Tensor BatchSampler::state() const { return generatorState(generator_); }

void BatchSampler::setState(const torch::Tensor& state) { setGeneratorState(generator_, state); }

}  // namespace ddpm
