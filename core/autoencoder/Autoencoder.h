#pragma once
// A small convolutional KL autoencoder (Kingma & Welling; the first stage of
// Rombach et al.'s latent diffusion): the encoder gives each latent element a
// mean and a log-variance, the decoder maps a latent back to an image.
// Residual blocks with GroupNorm, one stride-2 convolution per level down,
// nearest-neighbour upsampling and a convolution per level up.
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "autoencoder/AutoencoderConfig.h"

namespace ddpm {

// q(z|x) = N(mean, exp(logVariance)), both (B,Z,r,r).
struct LatentDistribution {
    torch::Tensor mean, logVariance;

    // mean + exp(logVariance/2)·ε with ε drawn from `generator` (CPU): (B,Z,r,r).
    torch::Tensor sample(at::Generator& generator) const;
    // KL(q(z|x) ‖ N(0,I)) per latent element, averaged over the batch and the element: a scalar.
    // ½·mean(mean² + exp(logVariance) − 1 − logVariance).
    torch::Tensor klPerElement() const;
};

// GroupNorm → SiLU → conv3×3, twice, plus a 1×1 skip when the width changes.
class AutoencoderBlockImpl : public torch::nn::Module {
public:
    AutoencoderBlockImpl(int64_t inChannels, int64_t outChannels, int groups);
    // x (B,Cin,H,W) -> (B,Cout,H,W)
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
};
TORCH_MODULE(AutoencoderBlock);

class AutoencoderImpl : public torch::nn::Module {
public:
    explicit AutoencoderImpl(const AutoencoderConfig& config);   // throws std::invalid_argument
    const AutoencoderConfig& config() const { return config_; }
    int64_t parameterCount() const;

    // x (B,C,R,R) in [-1,1] -> q(z|x) over (B,Z,r,r); R is padded to the config's R' first.
    LatentDistribution encode(const torch::Tensor& x);
    // z (B,Z,r,r) -> x̂ (B,C,R,R), cropped back to R (not clamped).
    torch::Tensor decode(const torch::Tensor& z);

private:
    AutoencoderConfig config_;
    torch::nn::Conv2d encoderIn_{nullptr}, encoderOut_{nullptr}, decoderIn_{nullptr}, decoderOut_{nullptr};
    torch::nn::ModuleList encoderBlocks_{nullptr}, downsamples_{nullptr}, decoderBlocks_{nullptr},
        upsamples_{nullptr};
    AutoencoderBlock encoderMiddle_{nullptr}, decoderMiddle_{nullptr};
    torch::nn::GroupNorm encoderNorm_{nullptr}, decoderNorm_{nullptr};
};
TORCH_MODULE(Autoencoder);

// A fresh autoencoder with its weights drawn from `generator` (random/WeightInit.h).
Autoencoder makeAutoencoder(const AutoencoderConfig& config, at::Generator& generator);

}  // namespace ddpm
