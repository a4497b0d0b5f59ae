#pragma once
// The interface every noise predictor implements: x_t and t in, the
// objective's prediction out (same shape as x_t).
#include <memory>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "models/ModelConfig.h"

namespace ddpm {

class Denoiser : public torch::nn::Module {
public:
    explicit Denoiser(ModelConfig config) : config_(std::move(config)) {}
    // x_t (B,C,H,W) or (B,2); t (B) int64 timesteps; classes (B) int64 in
    // [0, numClasses] where numClasses is the null class, or undefined when unconditional.
    virtual torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const torch::Tensor& classes) = 0;
    const ModelConfig& config() const { return config_; }
    int64_t parameterCount() const;

protected:
    ModelConfig config_;
};

std::shared_ptr<Denoiser> makeDenoiser(const ModelConfig& config);

}  // namespace ddpm
