#include "random/SeededDropout.h"

#include <stdexcept>

#include <torch/types.h>

namespace ddpm {

SeededDropoutImpl::SeededDropoutImpl(double p) : p_(p) {
    if (!(p >= 0 && p < 1)) throw std::invalid_argument("dropout probability must be in [0, 1)");
}

torch::Tensor SeededDropoutImpl::forward(const torch::Tensor& x) {
    if (!is_training() || p_ == 0) return x;
    if (!generator_) throw std::logic_error("SeededDropout in training mode has no generator (useGenerator)");
    // Drawn on the CPU, like all of a run's random numbers, so a run repeats on every device.
    const auto keep = torch::rand(x.sizes(), *generator_, torch::TensorOptions().dtype(torch::kFloat)) >= p_;
    return x * keep.to(x.device(), x.scalar_type()) / (1.0 - p_);
}

void useGenerator(torch::nn::Module& module, const at::Generator& generator) {
    for (const auto& child : module.modules(/*include_self=*/true))
        if (auto* dropout = child->as<SeededDropoutImpl>()) dropout->setGenerator(generator);
}

}  // namespace ddpm
