#pragma once
// The U-Net's building blocks. All take and return fp32 activations; their
// convolutions run in the thread's compute dtype (see MixedPrecision.h).
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "random/SeededDropout.h"

namespace ddpm {

// GroupNorm → SiLU → conv3×3, time embedding injected (added, or FiLM
// scale-and-shift after the second norm), GroupNorm → SiLU → dropout → conv3×3,
// plus a 1×1 skip when the width changes.
class ResBlockImpl : public torch::nn::Module {
public:
    ResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embeddingDim, int groups, double dropout, bool film);
    // x (B,Cin,H,W), temb (B,E) -> (B,Cout,H,W)
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb);

private:
    bool film_;
    torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
    torch::nn::Linear timeProjection_{nullptr};
    SeededDropout dropout_{nullptr};
};
TORCH_MODULE(ResBlock);

// Single-head self-attention over all positions, with a residual connection.
class AttentionBlockImpl : public torch::nn::Module {
public:
    AttentionBlockImpl(int64_t channels, int groups);
    // x (B,C,H,W) -> (B,C,H,W)
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::GroupNorm norm_{nullptr};
    torch::nn::Conv2d qkv_{nullptr}, projection_{nullptr};
};
TORCH_MODULE(AttentionBlock);

}  // namespace ddpm
