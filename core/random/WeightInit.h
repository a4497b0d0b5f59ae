#pragma once
// Initial weights drawn from a run's own generator. LibTorch's layer
// constructors fill their weights from the process-wide generator; a run
// draws them again from its WeightInit stream, so those draws decide nothing.
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

namespace ddpm {

// PyTorch's default distributions for every Conv2d, Linear and Embedding in
// `module` (U(±1/√fan_in) for weights and biases, N(0,1) for embeddings); norms
// start at weight 1, bias 0. Throws std::logic_error if `module` holds a
// parameter of a layer type it does not know, so a new layer cannot slip by.
void initializeWeights(torch::nn::Module& module, at::Generator& generator);

}  // namespace ddpm
