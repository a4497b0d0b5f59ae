#include "conditioning/TextTransformer.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <torch/nn/functional/activation.h>

namespace ddpm {

void TextTransformerConfig::validate() const {
    const auto check = [](bool ok, const std::string& what) {
        if (!ok) throw std::invalid_argument("text encoder: " + what);
    };
    check(vocabulary > 4, "the vocabulary must hold words besides the 4 special tokens");
    check(context >= 3 && context <= 512, "context must be 3…512 tokens");
    check(width >= 8 && width <= 4096, "width must be 8…4096");
    check(layers >= 1 && layers <= 48, "layers must be 1…48");
    check(heads >= 1 && width % heads == 0, "heads must divide the width");
}

TextTransformerImpl::TextTransformerImpl(const TextTransformerConfig& config) : config_(config) {
    config_.validate();
    const int64_t D = config_.width;
    tokens_ = register_module("tokens", torch::nn::Embedding(config_.vocabulary, D));
    positions_ = register_module("positions", torch::nn::Embedding(config_.context, D));
    for (int64_t i = 0; i < config_.layers; ++i) {
        Layer layer;
        const std::string name = "layer" + std::to_string(i) + "_";
        layer.attentionNorm = register_module(name + "attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
        layer.qkv = register_module(name + "qkv", torch::nn::Linear(D, 3 * D));
        layer.projection = register_module(name + "projection", torch::nn::Linear(D, D));
        layer.mlpNorm = register_module(name + "mlp_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
        layer.up = register_module(name + "up", torch::nn::Linear(D, 4 * D));
        layer.down = register_module(name + "down", torch::nn::Linear(4 * D, D));
        layers_.push_back(layer);
    }
    finalNorm_ = register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({D})));
}

torch::Tensor TextTransformerImpl::attend(Layer& layer, const torch::Tensor& x, const torch::Tensor& keep) {
    const int64_t B = x.size(0), L = x.size(1), D = x.size(2), H = config_.heads;
    const auto qkv = layer.qkv->forward(layer.attentionNorm->forward(x)).reshape({B, L, 3, H, D / H}).permute({2, 0, 3, 1, 4});
    const auto q = qkv[0], k = qkv[1], v = qkv[2];                                   // (B,H,L,D/H)
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(D / H));   // (B,H,L,L)
    scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<float>::infinity());
    const auto out = torch::matmul(torch::softmax(scores, -1), v);                   // (B,H,L,D/H)
    return layer.projection->forward(out.transpose(1, 2).reshape({B, L, D}));
}

torch::Tensor TextTransformerImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
    const int64_t L = ids.size(1);
    if (L > config_.context)
        throw std::invalid_argument("text encoder: " + std::to_string(L) + " tokens, more than its context of " +
                                    std::to_string(config_.context));
    const auto real = mask.to(torch::kBool);                                          // (B,L)
    if (!real.any(1).all().item<bool>())
        throw std::invalid_argument("text encoder: a prompt without a single real token (its start and end are)");
    const auto keep = real.unsqueeze(1).unsqueeze(1);                                 // (B,1,1,L)
    const auto position = torch::arange(L, torch::TensorOptions().dtype(torch::kInt64).device(ids.device()));
    auto x = tokens_->forward(ids) + positions_->forward(position).unsqueeze(0);      // (B,L,D)
    for (Layer& layer : layers_) {
        x = x + attend(layer, x, keep);
        x = x + layer.down->forward(torch::gelu(layer.up->forward(layer.mlpNorm->forward(x))));
    }
    return finalNorm_->forward(x) * real.unsqueeze(-1).to(x.dtype());                // (B,L,D), zero at padding
}

}  // namespace ddpm
