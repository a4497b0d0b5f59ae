#pragma once
// Sinusoidal timestep embedding (the transformer formula) through a 2-layer
// MLP, plus an optional learned class embedding for classifier-free guidance.
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "conditioning/Condition.h"

namespace ddpm {

// t (B), timesteps or any real values -> (B, dim): [sin(t·ω_k), cos(t·ω_k)], ω_k = 10000^(−k/(dim/2)).
torch::Tensor sinusoidalEmbedding(const torch::Tensor& t, int64_t dim);

class TimeEmbeddingImpl : public torch::nn::Module {
public:
    // sinusoidDim -> embeddingDim -> embeddingDim; numClasses > 0 adds a class table of numClasses + 1 (null) rows.
    TimeEmbeddingImpl(int64_t sinusoidDim, int64_t embeddingDim, int numClasses);
    // t (B) int64 and the batch's condition (empty: the null condition) -> (B, embeddingDim)
    torch::Tensor forward(const torch::Tensor& t, const Condition& condition);

private:
    int64_t sinusoidDim_;
    int numClasses_;
    torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
    torch::nn::Embedding classTable_{nullptr};
};
TORCH_MODULE(TimeEmbedding);

}  // namespace ddpm
