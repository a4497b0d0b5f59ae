#pragma once
// A residual MLP for 2-D points, with the same time embedding as the U-Net
// injected into every block. Each coordinate also enters as sinusoidal
// features: with raw coordinates alone an MLP learns only smooth functions
// and smeared the modes of a sharp mixture along the ring between them.
#include <vector>

#include <torch/nn/modules/linear.h>

#include "models/Denoiser.h"
#include "models/TimeEmbedding.h"

namespace ddpm {

class MlpDenoiserImpl : public Denoiser {
public:
    explicit MlpDenoiserImpl(const ModelConfig& config);
    // x_t (B,2), t (B) -> (B,2)
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) override;

private:
    struct Block {
        torch::nn::Linear fc1{nullptr}, fc2{nullptr}, timeProjection{nullptr};
    };
    TimeEmbedding timeEmbedding_{nullptr};
    torch::nn::Linear input_{nullptr}, output_{nullptr};
    std::vector<Block> blocks_;
};
TORCH_MODULE(MlpDenoiser);

}  // namespace ddpm
