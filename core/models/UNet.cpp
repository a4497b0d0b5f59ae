#include "models/UNet.h"

#include <algorithm>
#include <stdexcept>

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>

#include "models/MixedPrecision.h"

namespace F = torch::nn::functional;

namespace ddpm {

UNetImpl::UNetImpl(const ModelConfig& c) : Denoiser(c) {
    if (c.channelMults.empty()) throw std::invalid_argument("U-Net needs at least one level");
    if (c.baseChannels % c.groups != 0)
        throw std::invalid_argument("U-Net base width " + std::to_string(c.baseChannels) +
                                    " is not divisible by its " + std::to_string(c.groups) + " norm groups");
    const bool ho = c.layout == UNetLayout::Ho;
    const int levels = int(c.channelMults.size());
    const int64_t E = c.timeEmbeddingDim();
    auto hasAttention = [&](int level) {
        return std::find(c.attentionLevels.begin(), c.attentionLevels.end(), level) != c.attentionLevels.end();
    };
    auto makeStage = [&](const std::string& name, int64_t in, int64_t out, bool attention) {
        Stage s;
        s.block = register_module(name, ResBlock(in, out, E, c.groups, c.dropout, c.film));
        if (attention) s.attention = register_module(name + "_attention", AttentionBlock(out, c.groups));
        return s;
    };

    timeEmbedding_ = register_module("time_embedding", TimeEmbedding(c.baseChannels, E, c.numClasses));
    inputConv_ = register_module("input_conv",
                                 torch::nn::Conv2d(torch::nn::Conv2dOptions(c.inChannels, c.baseChannels, 3).padding(1)));

    std::vector<int64_t> skipChannels;
    if (ho) skipChannels.push_back(c.baseChannels);
    int64_t ch = c.baseChannels;
    for (int level = 0; level < levels; ++level) {
        const int64_t out = int64_t(c.baseChannels) * c.channelMults[size_t(level)];
        down_.emplace_back();
        for (int b = 0; b < c.numResBlocks; ++b) {
            down_.back().push_back(makeStage("down" + std::to_string(level) + "_" + std::to_string(b), ch, out,
                                             hasAttention(level)));
            ch = out;
            skipChannels.push_back(ch);
        }
        if (level + 1 < levels) {
            downsample_.push_back(register_module(
                "downsample" + std::to_string(level),
                torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, ch, 3).stride(2).padding(1))));
            if (ho) skipChannels.push_back(ch);
        }
    }

    middle_.push_back(makeStage("middle0", ch, ch, false));
    if (ho) {
        middleAttention_ = register_module("middle_attention", AttentionBlock(ch, c.groups));
        middle_.push_back(makeStage("middle1", ch, ch, false));
    }

    up_.resize(size_t(levels));
    upsampleConv_.resize(size_t(levels), torch::nn::Conv2d(nullptr));
    for (int level = levels - 1; level >= 0; --level) {
        const int64_t out = int64_t(c.baseChannels) * c.channelMults[size_t(level)];
        const int blocks = c.numResBlocks + (ho ? 1 : 0);
        for (int b = 0; b < blocks; ++b) {
            const int64_t skip = skipChannels.back();
            skipChannels.pop_back();
            up_[size_t(level)].push_back(makeStage("up" + std::to_string(level) + "_" + std::to_string(b), ch + skip,
                                                   out, hasAttention(level)));
            ch = out;
        }
        if (level > 0 && ho)
            upsampleConv_[size_t(level)] = register_module(
                "upsample" + std::to_string(level), torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, ch, 3).padding(1)));
    }
    outputNorm_ = register_module("output_norm", torch::nn::GroupNorm(c.groups, ch));
    outputConv_ = register_module("output_conv",
                                  torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, c.inChannels, 3).padding(1)));
}

torch::Tensor UNetImpl::runStage(Stage& stage, const torch::Tensor& h, const torch::Tensor& temb) {
    auto out = stage.block->forward(h, temb);
    return stage.attention ? stage.attention->forward(out) : out;
}

torch::Tensor UNetImpl::forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) {
    const bool ho = config_.layout == UNetLayout::Ho;
    const int levels = int(config_.channelMults.size());
    const int64_t H = xt.size(2), W = xt.size(3);
    const int64_t divisor = int64_t(1) << (levels - 1);
    const int64_t padH = (divisor - H % divisor) % divisor, padW = (divisor - W % divisor) % divisor;
    auto x = (padH || padW) ? F::pad(xt.to(torch::kFloat), F::PadFuncOptions({0, padW, 0, padH})) : xt.to(torch::kFloat);

    const auto temb = timeEmbedding_->forward(t, condition);   // (B,E)
    auto h = conv(inputConv_, x);                            // (B,base,H,W)
    std::vector<torch::Tensor> skips;
    if (ho) skips.push_back(h);
    for (int level = 0; level < levels; ++level) {
        for (auto& stage : down_[size_t(level)]) {
            h = runStage(stage, h, temb);
            skips.push_back(h);
        }
        if (level + 1 < levels) {
            h = conv(downsample_[size_t(level)], h);   // (B,C,H/2,W/2)
            if (ho) skips.push_back(h);
        }
    }
    h = middle_[0].block->forward(h, temb);
    if (ho) h = middle_[1].block->forward(middleAttention_->forward(h), temb);
    for (int level = levels - 1; level >= 0; --level) {
        for (auto& stage : up_[size_t(level)]) {
            h = runStage(stage, torch::cat({h, skips.back()}, 1), temb);
            skips.pop_back();
        }
        if (level > 0) {
            h = F::interpolate(h, F::InterpolateFuncOptions()
                                      .scale_factor(std::vector<double>{2.0, 2.0})
                                      .mode(torch::kNearest));   // (B,C,2H,2W)
            if (ho) h = conv(upsampleConv_[size_t(level)], h);
        }
    }
    auto out = conv(outputConv_, torch::silu(outputNorm_->forward(h)));   // (B,C,H',W')
    if (padH || padW) out = out.slice(2, 0, H).slice(3, 0, W);
    return out;
}

}  // namespace ddpm
