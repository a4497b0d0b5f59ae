#include "random/WeightInit.h"

#include <cmath>
#include <stdexcept>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace ddpm {

namespace {

// Kaiming-uniform with a = √5, PyTorch's default: bound = 1/√fan_in, for the weight and the bias.
void uniformFanIn(torch::Tensor& weight, torch::Tensor& bias, at::Generator& generator) {
    const int64_t fanIn = weight.numel() / weight.size(0);
    const double bound = 1.0 / std::sqrt(double(fanIn));
    weight.uniform_(-bound, bound, generator);
    if (bias.defined()) bias.uniform_(-bound, bound, generator);
}

// Norm layers start as the identity: weight 1, bias 0 (nothing random).
template <typename Norm>
bool resetNorm(torch::nn::Module& child) {
    auto* norm = child.as<Norm>();
    if (!norm) return false;
    if (norm->weight.defined()) norm->weight.fill_(1.0);
    if (norm->bias.defined()) norm->bias.fill_(0.0);
    return true;
}

}  // namespace

void initializeWeights(torch::nn::Module& module, at::Generator& generator) {
    torch::NoGradGuard noGrad;
    int64_t covered = 0;
    for (const auto& child : module.modules(/*include_self=*/true)) {
        if (auto* conv = child->as<torch::nn::Conv2dImpl>()) {
            uniformFanIn(conv->weight, conv->bias, generator);
        } else if (auto* linear = child->as<torch::nn::LinearImpl>()) {
            uniformFanIn(linear->weight, linear->bias, generator);
        } else if (auto* embedding = child->as<torch::nn::EmbeddingImpl>()) {
            embedding->weight.normal_(0.0, 1.0, generator);
        } else if (!resetNorm<torch::nn::GroupNormImpl>(*child) && !resetNorm<torch::nn::LayerNormImpl>(*child) &&
                   !resetNorm<torch::nn::BatchNorm1dImpl>(*child) && !resetNorm<torch::nn::BatchNorm2dImpl>(*child)) {
            continue;
        }
        covered += int64_t(child->parameters(/*recurse=*/false).size());
    }
    const int64_t total = int64_t(module.parameters().size());
    if (covered != total)
        throw std::logic_error("initializeWeights: " + std::to_string(total - covered) +
                               " parameters belong to layers it does not know");
}

}  // namespace ddpm
