#include "models/UNet.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>

#include "conditioning/WordTokenizer.h"
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
    const auto contains = [](const std::vector<int>& levels, int level) {
        return std::find(levels.begin(), levels.end(), level) != levels.end();
    };
    const auto makeCross = [&](const std::string& name, int64_t channels) {
        return register_module(name + "_cross_attention", CrossAttentionBlock(channels, c.text.width, c.groups));
    };
    auto makeStage = [&](const std::string& name, int64_t in, int64_t out, int level) {
        Stage s;
        s.block = register_module(name, ResBlock(in, out, E, c.groups, c.dropout, c.film));
        if (contains(c.attentionLevels, level)) s.attention = register_module(name + "_attention", AttentionBlock(out, c.groups));
        if (c.text.enabled() && contains(c.text.crossAttentionLevels, level)) s.cross = makeCross(name, out);
        return s;
    };

    timeEmbedding_ = register_module("time_embedding", TimeEmbedding(c.baseChannels, E, c.numClasses));
    if (c.text.usesClip()) {
        // The frozen encoder stays outside; the empty prompt's features (the null condition) travel with the weights.
        emptyPromptFeatures_ = register_buffer("empty_prompt", torch::zeros({1, int64_t(c.text.context), int64_t(c.text.width)}));
        promptGist_ = register_module("prompt_gist", torch::nn::Linear(c.text.width, E));
    } else if (c.text.enabled()) {
        if (c.text.encoder != "builtin") throw std::invalid_argument("unknown text encoder '" + c.text.encoder + "'");
        TextTransformerConfig text;
        text.vocabulary = WordTokenizer::kFirstWord + int64_t(c.text.words.size());
        text.context = c.text.context;
        text.width = c.text.width;
        text.layers = c.text.layers;
        text.heads = c.text.heads;
        textEncoder_ = register_module("text_encoder", TextTransformer(text));
        promptGist_ = register_module("prompt_gist", torch::nn::Linear(c.text.width, E));
    }
    inputConv_ = register_module("input_conv",
                                 torch::nn::Conv2d(torch::nn::Conv2dOptions(c.inChannels, c.baseChannels, 3).padding(1)));

    std::vector<int64_t> skipChannels;
    if (ho) skipChannels.push_back(c.baseChannels);
    int64_t ch = c.baseChannels;
    for (int level = 0; level < levels; ++level) {
        const int64_t out = int64_t(c.baseChannels) * c.channelMults[size_t(level)];
        down_.emplace_back();
        for (int b = 0; b < c.numResBlocks; ++b) {
            down_.back().push_back(makeStage("down" + std::to_string(level) + "_" + std::to_string(b), ch, out, level));
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

    middle_.push_back(makeStage("middle0", ch, ch, -1));
    if (c.text.enabled()) middleCross_ = makeCross("middle", ch);
    if (ho) {
        middleAttention_ = register_module("middle_attention", AttentionBlock(ch, c.groups));
        middle_.push_back(makeStage("middle1", ch, ch, -1));
    }

    up_.resize(size_t(levels));
    upsampleConv_.resize(size_t(levels), torch::nn::Conv2d(nullptr));
    for (int level = levels - 1; level >= 0; --level) {
        const int64_t out = int64_t(c.baseChannels) * c.channelMults[size_t(level)];
        const int blocks = c.numResBlocks + (ho ? 1 : 0);
        for (int b = 0; b < blocks; ++b) {
            const int64_t skip = skipChannels.back();
            skipChannels.pop_back();
            up_[size_t(level)].push_back(
                makeStage("up" + std::to_string(level) + "_" + std::to_string(b), ch + skip, out, level));
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

torch::Tensor UNetImpl::runStage(Stage& stage, const torch::Tensor& h, const torch::Tensor& temb, const Prompt& prompt) {
    auto out = stage.block->forward(h, temb);
    if (stage.attention) out = stage.attention->forward(out);
    if (stage.cross) out = stage.cross->forward(out, prompt.features, prompt.mask);
    return out;
}

UNetImpl::Prompt UNetImpl::encodePrompt(const Condition& condition, int64_t batch, torch::Tensor& temb) {
    if (!config_.text.enabled()) {
        if (condition.tokens.defined() || condition.features.defined())
            throw std::invalid_argument("this model takes no prompts");
        return {};
    }
    if (condition.classes.defined()) throw std::invalid_argument("this model takes prompts, not classes");
    const Condition c = condition.empty() ? conditioning().null(batch, temb.device()) : condition;
    Prompt prompt{promptFeatures(c), c.mask.to(torch::kBool)};                          // (B,L,D), (B,L)
    const auto real = prompt.mask.unsqueeze(-1).to(torch::kFloat);                      // (B,L,1)
    const auto gist = (prompt.features * real).sum(1) / real.sum(1);                    // (B,D)
    temb = temb + linear(promptGist_, gist);                                            // (B,E)
    return prompt;
}

torch::Tensor UNetImpl::promptFeatures(const Condition& c) {
    if (!config_.text.enabled()) throw std::invalid_argument("this model takes no prompts");
    if (c.features.defined()) {
        // The tokens' own path refuses these in the encoder; features must not reach a softmax over nothing.
        if (!c.mask.defined() || !c.mask.to(torch::kBool).any(1).all().item<bool>())
            throw std::invalid_argument("a prompt's features without a single real token");
        return c.features;
    }
    if (!textEncoder_) throw std::invalid_argument("a CLIP model's prompts come as the features of its frozen encoder");
    if (!c.tokens.defined() || !c.mask.defined()) throw std::invalid_argument("the built-in text encoder needs the prompt's token ids");
    return textEncoder_->forward(c.tokens, c.mask);
}

Condition UNetImpl::emptyPrompt() const {
    if (!config_.text.enabled()) throw std::logic_error("a model without text has no empty prompt");
    const int64_t L = config_.text.context;
    Condition prompt;
    prompt.mask = torch::arange(L, torch::kInt64).lt(2).unsqueeze(0);   // (1,L) bool: start and end
    if (config_.text.usesClip()) {
        prompt.features = emptyPromptFeatures_.to(torch::kCPU);          // (1,L,D)
        return prompt;
    }
    // WordTokenizer::encode(""): start, end, padding.
    prompt.tokens = torch::full({1, L}, WordTokenizer::kPad, torch::kInt64);   // (1,L)
    prompt.tokens.index_put_({0, 0}, WordTokenizer::kStart);
    prompt.tokens.index_put_({0, 1}, WordTokenizer::kEnd);
    return prompt;
}

void UNetImpl::setEmptyPromptFeatures(const torch::Tensor& features) {
    if (!emptyPromptFeatures_.defined() || features.sizes() != emptyPromptFeatures_.sizes())
        throw std::invalid_argument("the empty prompt's features do not fit this model's frozen text encoder");
    torch::NoGradGuard noGrad;
    emptyPromptFeatures_.copy_(features);
}

std::vector<CrossAttentionBlock> UNetImpl::crossAttentionBlocks() const {
    std::vector<CrossAttentionBlock> blocks;
    for (const auto& level : down_)
        for (const Stage& stage : level)
            if (stage.cross) blocks.push_back(stage.cross);
    if (middleCross_) blocks.push_back(middleCross_);
    for (auto level = up_.rbegin(); level != up_.rend(); ++level)
        for (const Stage& stage : *level)
            if (stage.cross) blocks.push_back(stage.cross);
    return blocks;
}

void UNetImpl::setCrossAttentionRecording(bool on) {
    for (auto& block : crossAttentionBlocks()) block->setRecording(on);
}

std::vector<CrossAttentionMap> UNetImpl::crossAttentionMaps() const {
    // Each block's map is at its level's resolution (of the padded, square input).
    std::vector<CrossAttentionMap> maps;
    for (const auto& block : crossAttentionBlocks()) {
        const torch::Tensor& w = block->recordedWeights();   // (B,HW,L)
        if (!w.defined()) continue;
        const int64_t side = int64_t(std::lround(std::sqrt(double(w.size(1)))));
        if (side * side != w.size(1)) continue;
        maps.push_back({side, side, w});
    }
    return maps;
}

torch::Tensor UNetImpl::forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) {
    const bool ho = config_.layout == UNetLayout::Ho;
    const int levels = int(config_.channelMults.size());
    const int64_t H = xt.size(2), W = xt.size(3);
    const int64_t divisor = int64_t(1) << (levels - 1);
    const int64_t padH = (divisor - H % divisor) % divisor, padW = (divisor - W % divisor) % divisor;
    auto x = (padH || padW) ? F::pad(xt.to(torch::kFloat), F::PadFuncOptions({0, padW, 0, padH})) : xt.to(torch::kFloat);

    auto temb = timeEmbedding_->forward(t, condition);   // (B,E)
    const Prompt prompt = encodePrompt(condition, xt.size(0), temb);
    auto h = conv(inputConv_, x);                            // (B,base,H,W)
    std::vector<torch::Tensor> skips;
    if (ho) skips.push_back(h);
    for (int level = 0; level < levels; ++level) {
        for (auto& stage : down_[size_t(level)]) {
            h = runStage(stage, h, temb, prompt);
            skips.push_back(h);
        }
        if (level + 1 < levels) {
            h = conv(downsample_[size_t(level)], h);   // (B,C,H/2,W/2)
            if (ho) skips.push_back(h);
        }
    }
    h = middle_[0].block->forward(h, temb);
    if (ho) h = middleAttention_->forward(h);
    if (middleCross_) h = middleCross_->forward(h, prompt.features, prompt.mask);
    if (ho) h = middle_[1].block->forward(h, temb);
    for (int level = levels - 1; level >= 0; --level) {
        for (auto& stage : up_[size_t(level)]) {
            h = runStage(stage, torch::cat({h, skips.back()}, 1), temb, prompt);
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
