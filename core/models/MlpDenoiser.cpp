#include "models/MlpDenoiser.h"

#include "models/MixedPrecision.h"

namespace ddpm {

MlpDenoiserImpl::MlpDenoiserImpl(const ModelConfig& c) : Denoiser(c) {
    const int64_t H = c.mlpHidden;
    timeEmbedding_ = register_module("time_embedding", TimeEmbedding(64, H, c.numClasses));
    input_ = register_module("input", torch::nn::Linear(c.inChannels, H));
    for (int b = 0; b < c.mlpBlocks; ++b) {
        const std::string name = "block" + std::to_string(b);
        blocks_.push_back({register_module(name + "_fc1", torch::nn::Linear(H, H)),
                           register_module(name + "_fc2", torch::nn::Linear(H, H)),
                           register_module(name + "_time_projection", torch::nn::Linear(H, H))});
    }
    output_ = register_module("output", torch::nn::Linear(H, c.inChannels));
}

torch::Tensor MlpDenoiserImpl::forward(const torch::Tensor& xt, const torch::Tensor& t, const torch::Tensor& classes) {
    const auto temb = torch::silu(timeEmbedding_->forward(t, classes));   // (B,H)
    auto h = linear(input_, xt.to(torch::kFloat));                         // (B,H)
    for (auto& b : blocks_) {
        auto u = linear(b.fc1, torch::silu(h)) + linear(b.timeProjection, temb);
        h = h + linear(b.fc2, torch::silu(u));
    }
    return linear(output_, torch::silu(h));   // (B,2)
}

}  // namespace ddpm
