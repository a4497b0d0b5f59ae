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

// Cross-attention from the image to a prompt (Rombach et al. 2022): queries from
// the image features, keys and values from the prompt's token features; padding
// tokens are masked out. Heads of 32 channels (one head below 64 channels).
class CrossAttentionBlockImpl : public torch::nn::Module {
public:
    CrossAttentionBlockImpl(int64_t channels, int64_t contextWidth, int groups);
    // x (B,C,H,W), context (B,L,D), mask (B,L) bool -> (B,C,H,W)
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const torch::Tensor& mask);
    // While recording, each forward keeps its attention weights averaged over the heads:
    // (B,H·W,L), row-major over the image. For the Denoise tab's "where is this word drawn".
    void setRecording(bool on) { recording_ = on; }
    const torch::Tensor& recordedWeights() const { return recorded_; }

private:
    int64_t heads_;
    bool recording_ = false;
    torch::Tensor recorded_;
    torch::nn::GroupNorm norm_{nullptr};
    torch::nn::Conv2d query_{nullptr}, projection_{nullptr};
    torch::nn::Linear key_{nullptr}, value_{nullptr};
};
TORCH_MODULE(CrossAttentionBlock);

}  // namespace ddpm
