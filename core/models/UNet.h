#pragma once
// The U-Net noise predictor: down and up paths of residual blocks joined by
// skip connections, a time embedding in every block, optional self-attention,
// and class or text conditioning. A text model attends to the prompt's token
// features at chosen levels and in the middle, and adds their mean over the real
// tokens to the time embedding (the prompt's gist, in every block). Inputs whose size the levels do not divide (28×28
// with four levels) are padded inside and cropped back.
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include "conditioning/TextTransformer.h"
#include "models/Denoiser.h"
#include "models/TimeEmbedding.h"
#include "models/UNetBlocks.h"

namespace ddpm {

class UNetImpl : public Denoiser {
public:
    explicit UNetImpl(const ModelConfig& config);
    // x_t (B,C,H,W) in about [-1,1] scale; t (B) -> (B,C,H,W)
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) override;
    // Text models: the prompt's token features as the cross-attention reads them, (B,L,D),
    // zero at padding; the condition's features as they are for a frozen encoder's.
    torch::Tensor promptFeatures(const Condition& condition);
    Condition emptyPrompt() const override;
    // CLIP models: the frozen encoder's features of the empty prompt, (1,context,width), zero past its end token.
    void setEmptyPromptFeatures(const torch::Tensor& features);
    void setCrossAttentionRecording(bool on) override;
    std::vector<CrossAttentionMap> crossAttentionMaps() const override;

private:
    // A prompt as the cross-attention reads it.
    struct Prompt {
        torch::Tensor features;   // (B,L,D)
        torch::Tensor mask;       // (B,L) bool
    };
    // One residual block and the attentions after it (null where there are none).
    struct Stage {
        ResBlock block{nullptr};
        AttentionBlock attention{nullptr};
        CrossAttentionBlock cross{nullptr};
    };
    torch::Tensor runStage(Stage& stage, const torch::Tensor& h, const torch::Tensor& temb, const Prompt& prompt);
    // The condition's prompt (the empty one when there is none) as features; adds its gist to temb.
    Prompt encodePrompt(const Condition& condition, int64_t batch, torch::Tensor& temb);
    std::vector<CrossAttentionBlock> crossAttentionBlocks() const;

    TimeEmbedding timeEmbedding_{nullptr};
    TextTransformer textEncoder_{nullptr};        // built-in text encoder
    torch::nn::Linear promptGist_{nullptr};       // mean token feature -> time embedding
    torch::Tensor emptyPromptFeatures_;           // CLIP models: the null condition's features (1,L,D), a buffer
    torch::nn::Conv2d inputConv_{nullptr}, outputConv_{nullptr};
    torch::nn::GroupNorm outputNorm_{nullptr};
    std::vector<std::vector<Stage>> down_, up_;   // per level
    std::vector<torch::nn::Conv2d> downsample_;   // levels 0 … L-2
    std::vector<torch::nn::Conv2d> upsampleConv_; // Ho layout: levels 1 … L-1 (index = level)
    std::vector<Stage> middle_;
    AttentionBlock middleAttention_{nullptr};
    CrossAttentionBlock middleCross_{nullptr};
};
TORCH_MODULE(UNet);

}  // namespace ddpm
