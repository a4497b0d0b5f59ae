#include "models/TimeEmbedding.h"

#include <cmath>
#include <stdexcept>

#include "models/MixedPrecision.h"

namespace ddpm {

torch::Tensor sinusoidalEmbedding(const torch::Tensor& t, int64_t dim) {
    const int64_t half = dim / 2;
    auto opts = torch::TensorOptions().dtype(torch::kFloat).device(t.device());
    auto freqs = torch::exp(torch::arange(half, opts) * (-std::log(10000.0) / double(half)));   // (half)
    auto args = t.to(torch::kFloat).unsqueeze(1) * freqs.unsqueeze(0);                         // (B, half)
    return torch::cat({args.sin(), args.cos()}, 1);                                            // (B, dim)
}

TimeEmbeddingImpl::TimeEmbeddingImpl(int64_t sinusoidDim, int64_t embeddingDim, int numClasses)
    : sinusoidDim_(sinusoidDim), numClasses_(numClasses) {
    fc1_ = register_module("fc1", torch::nn::Linear(sinusoidDim, embeddingDim));
    fc2_ = register_module("fc2", torch::nn::Linear(embeddingDim, embeddingDim));
    if (numClasses > 0)
        classTable_ = register_module("class_table", torch::nn::Embedding(numClasses + 1, embeddingDim));
}

torch::Tensor TimeEmbeddingImpl::forward(const torch::Tensor& t, const Condition& condition) {
    auto e = linear(fc2_, torch::silu(linear(fc1_, sinusoidalEmbedding(t, sinusoidDim_))));   // (B, E)
    if (numClasses_ > 0) {
        // Without labels the model is asked for its unconditional prediction.
        const Condition& c = condition.empty() ? Conditioning(numClasses_).null(t.size(0), t.device()) : condition;
        e = e + classTable_->forward(c.classes);
    }
    return e;
}

}  // namespace ddpm
