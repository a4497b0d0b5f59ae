#pragma once
// The U-Net noise predictor: down and up paths of residual blocks joined by
// skip connections, a time embedding in every block, optional self-attention
// and class conditioning. Inputs whose size the levels do not divide (28×28
// with four levels) are padded inside and cropped back.
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include "models/Denoiser.h"
#include "models/TimeEmbedding.h"
#include "models/UNetBlocks.h"

namespace ddpm {

class UNetImpl : public Denoiser {
public:
    explicit UNetImpl(const ModelConfig& config);
    // x_t (B,C,H,W) in about [-1,1] scale; t (B) -> (B,C,H,W)
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) override;

private:
    // One residual block and the attention after it (null where there is none).
    struct Stage {
        ResBlock block{nullptr};
        AttentionBlock attention{nullptr};
    };
    torch::Tensor runStage(Stage& stage, const torch::Tensor& h, const torch::Tensor& temb);

    TimeEmbedding timeEmbedding_{nullptr};
    torch::nn::Conv2d inputConv_{nullptr}, outputConv_{nullptr};
    torch::nn::GroupNorm outputNorm_{nullptr};
    std::vector<std::vector<Stage>> down_, up_;   // per level
    std::vector<torch::nn::Conv2d> downsample_;   // levels 0 … L-2
    std::vector<torch::nn::Conv2d> upsampleConv_; // Ho layout: levels 1 … L-1 (index = level)
    std::vector<Stage> middle_;
    AttentionBlock middleAttention_{nullptr};
};
TORCH_MODULE(UNet);

}  // namespace ddpm
