#include "autoencoder/Autoencoder.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>

#include "models/MixedPrecision.h"
#include "random/WeightInit.h"

namespace ddpm {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// The padding that takes R to R': as even as it can be, the extra pixel last.
std::pair<int64_t, int64_t> padding(const AutoencoderConfig& c) {
    const int64_t total = c.paddedResolution() - c.resolution;
    return {total / 2, total - total / 2};
}

}  // namespace

torch::Tensor LatentDistribution::sample(at::Generator& generator) const {
    const torch::Tensor eps = torch::randn(mean.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat));
    return mean + torch::exp(0.5 * logVariance) * eps.to(mean.device());
}

torch::Tensor LatentDistribution::klPerElement() const {
    return 0.5 * (mean.pow(2) + torch::exp(logVariance) - 1.0 - logVariance).mean();
}

AutoencoderBlockImpl::AutoencoderBlockImpl(int64_t inChannels, int64_t outChannels, int groups) {
    norm1_ = register_module("norm1", torch::nn::GroupNorm(groups, inChannels));
    conv1_ = register_module("conv1", conv3x3(inChannels, outChannels));
    norm2_ = register_module("norm2", torch::nn::GroupNorm(groups, outChannels));
    conv2_ = register_module("conv2", conv3x3(outChannels, outChannels));
    if (inChannels != outChannels)
        skip_ = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 1)));
}

torch::Tensor AutoencoderBlockImpl::forward(const torch::Tensor& x) {
    auto h = conv(conv1_, torch::silu(norm1_->forward(x)));   // (B,Cout,H,W)
    h = conv(conv2_, torch::silu(norm2_->forward(h)));
    return (skip_ ? conv(skip_, x) : x) + h;
}

AutoencoderImpl::AutoencoderImpl(const AutoencoderConfig& config) : config_(config) {
    config_.validate();
    const int L = config_.levels(), g = config_.groups, C = config_.inChannels, Z = config_.latentChannels;
    // Encoder: conv in, per level a block then a stride-2 conv, a middle block, norm, conv to (mean, log-variance).
    encoderIn_ = register_module("encoder_in", conv3x3(C, config_.channelsAt(0)));
    encoderBlocks_ = register_module("encoder_blocks", torch::nn::ModuleList());
    downsamples_ = register_module("downsamples", torch::nn::ModuleList());
    for (int level = 0; level < L; ++level) {
        encoderBlocks_->push_back(AutoencoderBlock(config_.channelsAt(level), config_.channelsAt(level + 1), g));
        downsamples_->push_back(conv3x3(config_.channelsAt(level + 1), config_.channelsAt(level + 1), 2));
    }
    encoderMiddle_ = register_module("encoder_middle", AutoencoderBlock(config_.channelsAt(L), config_.channelsAt(L), g));
    encoderNorm_ = register_module("encoder_norm", torch::nn::GroupNorm(g, config_.channelsAt(L)));
    encoderOut_ = register_module("encoder_out", conv3x3(config_.channelsAt(L), 2 * Z));
    // Decoder, mirrored: conv in, a middle block, per level an upsample (nearest + conv) then a block.
    decoderIn_ = register_module("decoder_in", conv3x3(Z, config_.channelsAt(L)));
    decoderMiddle_ = register_module("decoder_middle", AutoencoderBlock(config_.channelsAt(L), config_.channelsAt(L), g));
    upsamples_ = register_module("upsamples", torch::nn::ModuleList());
    decoderBlocks_ = register_module("decoder_blocks", torch::nn::ModuleList());
    for (int level = L; level > 0; --level) {
        upsamples_->push_back(conv3x3(config_.channelsAt(level), config_.channelsAt(level)));
        decoderBlocks_->push_back(AutoencoderBlock(config_.channelsAt(level), config_.channelsAt(level - 1), g));
    }
    decoderNorm_ = register_module("decoder_norm", torch::nn::GroupNorm(g, config_.channelsAt(0)));
    decoderOut_ = register_module("decoder_out", conv3x3(config_.channelsAt(0), C));
}

int64_t AutoencoderImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

LatentDistribution AutoencoderImpl::encode(const torch::Tensor& x) {
    namespace F = torch::nn::functional;
    const auto [before, after] = padding(config_);
    // Edge pixels repeated: a digit's black and an emoji's white background both carry on.
    torch::Tensor h = before + after == 0 ? x
                                          : F::pad(x, F::PadFuncOptions({before, after, before, after})
                                                          .mode(torch::kReplicate));   // (B,C,R',R')
    h = conv(encoderIn_, h);                                                          // (B,c0,R',R')
    for (size_t level = 0; level < encoderBlocks_->size(); ++level) {
        h = encoderBlocks_[level]->as<AutoencoderBlock>()->forward(h);
        torch::nn::Conv2d down(downsamples_->ptr<torch::nn::Conv2dImpl>(level));
        h = conv(down, h);
    }
    h = encoderMiddle_->forward(h);                                       // (B,cL,r,r)
    h = conv(encoderOut_, torch::silu(encoderNorm_->forward(h)));        // (B,2Z,r,r)
    auto parts = h.chunk(2, 1);
    // Clamped as in latent diffusion: a runaway log-variance cannot overflow exp().
    return {parts[0], parts[1].clamp(-30.0, 20.0)};
}

torch::Tensor AutoencoderImpl::decode(const torch::Tensor& z) {
    namespace F = torch::nn::functional;
    torch::Tensor h = conv(decoderIn_, z);   // (B,cL,r,r)
    h = decoderMiddle_->forward(h);
    for (size_t i = 0; i < decoderBlocks_->size(); ++i) {
        h = F::interpolate(h, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0})
                                  .mode(torch::kNearest));
        torch::nn::Conv2d up(upsamples_->ptr<torch::nn::Conv2dImpl>(i));
        h = conv(up, h);
        h = decoderBlocks_[i]->as<AutoencoderBlock>()->forward(h);
    }
    h = conv(decoderOut_, torch::silu(decoderNorm_->forward(h)));   // (B,C,R',R')
    const auto [before, after] = padding(config_);
    if (before + after == 0) return h;
    return h.narrow(2, before, config_.resolution).narrow(3, before, config_.resolution);   // (B,C,R,R)
}

Autoencoder makeAutoencoder(const AutoencoderConfig& config, at::Generator& generator) {
    Autoencoder model(config);
    initializeWeights(*model, generator);
    return model;
}

}  // namespace ddpm
