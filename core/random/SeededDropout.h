#pragma once
// Dropout whose masks come from a generator the run owns (torch::nn::Dropout
// draws from the process-wide one). A module in training mode with p > 0
// needs a generator: useGenerator() hands one to every SeededDropout below a module.
#include <ATen/core/Generator.h>
#include <optional>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace ddpm {

class SeededDropoutImpl : public torch::nn::Module {
public:
    explicit SeededDropoutImpl(double p = 0.5);
    // x (any shape) -> x with each element zeroed with probability p and the rest scaled by 1/(1−p);
    // x itself when not training or p = 0.
    torch::Tensor forward(const torch::Tensor& x);
    void setGenerator(at::Generator generator) { generator_ = std::move(generator); }

private:
    double p_;
    std::optional<at::Generator> generator_;
};
TORCH_MODULE(SeededDropout);

// Every SeededDropout in `module` draws from `generator` from now on.
void useGenerator(torch::nn::Module& module, const at::Generator& generator);

}  // namespace ddpm
