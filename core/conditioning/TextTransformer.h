#pragma once
// The built-in text encoder: a small pre-norm transformer over WordTokenizer's ids,
// trained with the denoiser, whose token features the U-Net's cross-attention reads.
// Padding positions are masked out of every attention and come out as zeros, so
// whatever ids pad a prompt change nothing.
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace ddpm {

struct TextTransformerConfig {
    int64_t vocabulary = 0;   // WordTokenizer::vocabularySize()
    int64_t context = 16;     // tokens per prompt, start and end included
    int64_t width = 128;
    int64_t layers = 2;
    int64_t heads = 4;
    void validate() const;    // throws std::invalid_argument naming the bad field
};

class TextTransformerImpl : public torch::nn::Module {
public:
    explicit TextTransformerImpl(const TextTransformerConfig& config);
    // ids (B,L) int64, mask (B,L) bool or uint8 (true: a real token), L ≤ context
    //   -> (B,L,width) float token features, zero at padding.
    torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);
    const TextTransformerConfig& config() const { return config_; }

private:
    struct Layer {
        torch::nn::LayerNorm attentionNorm{nullptr}, mlpNorm{nullptr};
        torch::nn::Linear qkv{nullptr}, projection{nullptr}, up{nullptr}, down{nullptr};
    };
    // x (B,L,D), keep (B,1,1,L) bool -> (B,L,D): multi-head self-attention over the real tokens.
    torch::Tensor attend(Layer& layer, const torch::Tensor& x, const torch::Tensor& keep);

    TextTransformerConfig config_;
    torch::nn::Embedding tokens_{nullptr}, positions_{nullptr};
    std::vector<Layer> layers_;
    torch::nn::LayerNorm finalNorm_{nullptr};
};
TORCH_MODULE(TextTransformer);

}  // namespace ddpm
