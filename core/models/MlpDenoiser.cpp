#include "models/MlpDenoiser.h"

#include "models/MixedPrecision.h"

namespace ddpm {

namespace {
constexpr int64_t kCoordinateFeatures = 64;    // sinusoidal features per coordinate
constexpr double kCoordinateScale = 25.0;      // coordinates are ~unit scale: spread them over the frequencies

// x (B,D) -> (B, D·(1+F)): the raw coordinates and F sinusoidal features of each.
torch::Tensor coordinateFeatures(const torch::Tensor& x) {
    std::vector<torch::Tensor> parts = {x};
    for (int64_t d = 0; d < x.size(1); ++d)
        parts.push_back(sinusoidalEmbedding(x.select(1, d) * kCoordinateScale, kCoordinateFeatures));
    return torch::cat(parts, 1);
}
}  // namespace

MlpDenoiserImpl::MlpDenoiserImpl(const ModelConfig& c) : Denoiser(c) {
    const int64_t H = c.mlpHidden;
    timeEmbedding_ = register_module("time_embedding", TimeEmbedding(64, H, c.numClasses));
    input_ = register_module("input", torch::nn::Linear(c.inChannels * (1 + kCoordinateFeatures), H));
    for (int b = 0; b < c.mlpBlocks; ++b) {
        const std::string name = "block" + std::to_string(b);
        blocks_.push_back({register_module(name + "_fc1", torch::nn::Linear(H, H)),
                           register_module(name + "_fc2", torch::nn::Linear(H, H)),
                           register_module(name + "_time_projection", torch::nn::Linear(H, H))});
    }
    output_ = register_module("output", torch::nn::Linear(H, c.inChannels));
}

torch::Tensor MlpDenoiserImpl::forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) {
    const auto temb = torch::silu(timeEmbedding_->forward(t, condition));   // (B,H)
    auto h = linear(input_, coordinateFeatures(xt.to(torch::kFloat)));     // (B,H)
    for (auto& b : blocks_) {
        auto u = linear(b.fc1, torch::silu(h)) + linear(b.timeProjection, temb);
        h = h + linear(b.fc2, torch::silu(u));
    }
    return linear(output_, torch::silu(h));   // (B,2)
}

}  // namespace ddpm
