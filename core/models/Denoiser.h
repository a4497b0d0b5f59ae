#pragma once
// The interface every noise predictor implements: x_t and t in, the
// objective's prediction out (same shape as x_t).
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "conditioning/Condition.h"
#include "models/ModelConfig.h"

namespace ddpm {

// Where the image attended to a prompt at one cross-attention block: (B,H·W,L)
// weights over the prompt's L tokens for each position of an H×W feature map.
struct CrossAttentionMap {
    int64_t height = 0, width = 0;
    torch::Tensor weights;
};

class Denoiser : public torch::nn::Module {
public:
    explicit Denoiser(ModelConfig config) : config_(std::move(config)) {}
    // x_t (B,C,H,W) or (B,2); t (B) int64 timesteps; the batch's condition (empty:
    // the unconditional prediction) -> (B,…) shaped like x_t.
    virtual torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition& condition) = 0;
    const ModelConfig& config() const { return config_; }
    Conditioning conditioning() const;   // classes, prompts (the empty one as null) or none
    // Text models: the empty prompt, one item of tokens or features with its mask (on the CPU).
    virtual Condition emptyPrompt() const;
    // Text models keep the cross-attention weights of each forward while recording is on.
    virtual void setCrossAttentionRecording(bool) {}
    virtual std::vector<CrossAttentionMap> crossAttentionMaps() const { return {}; }
    int64_t parameterCount() const;
    torch::Device device() const;   // where its parameters are (the CPU for a model without any)

protected:
    ModelConfig config_;
};

// A denoiser with initial weights drawn from `generator` (see random/WeightInit.h).
std::shared_ptr<Denoiser> makeDenoiser(const ModelConfig& config, at::Generator& generator);
// A denoiser whose weights nothing depends on: a checkpoint or a copy fills them, or only
// its shape is wanted (LibTorch fills them from the process-wide generator meanwhile).
std::shared_ptr<Denoiser> makeBlankDenoiser(const ModelConfig& config);

}  // namespace ddpm
