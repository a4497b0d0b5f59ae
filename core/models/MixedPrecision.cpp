#include "models/MixedPrecision.h"

#include <torch/nn/functional/linear.h>

namespace ddpm {

namespace {
thread_local torch::ScalarType tlsComputeDtype = torch::kFloat;

torch::Tensor castOrSame(const torch::Tensor& t, torch::ScalarType dtype) {
    return t.defined() && t.scalar_type() != dtype ? t.to(dtype) : t;
}
}  // namespace

ComputeDtypeGuard::ComputeDtypeGuard(torch::ScalarType dtype) : previous_(tlsComputeDtype) { tlsComputeDtype = dtype; }
ComputeDtypeGuard::~ComputeDtypeGuard() { tlsComputeDtype = previous_; }
torch::ScalarType computeDtype() { return tlsComputeDtype; }

torch::Tensor conv(torch::nn::Conv2d& layer, const torch::Tensor& x) {
    const auto dtype = tlsComputeDtype;
    if (dtype == torch::kFloat) return layer->forward(x);
    // Every conv here pads k/2 ("same" for odd kernels); its stride is in the options.
    const int64_t pad = layer->weight.size(2) / 2;
    auto y = torch::conv2d(castOrSame(x, dtype), castOrSame(layer->weight, dtype), castOrSame(layer->bias, dtype),
                           layer->options.stride(), {pad, pad});
    return y.to(torch::kFloat);
}

torch::Tensor linear(torch::nn::Linear& layer, const torch::Tensor& x) {
    const auto dtype = tlsComputeDtype;
    if (dtype == torch::kFloat) return layer->forward(x);
    return torch::nn::functional::linear(castOrSame(x, dtype), castOrSame(layer->weight, dtype),
                                         castOrSame(layer->bias, dtype))
        .to(torch::kFloat);
}

torch::Tensor bmm(const torch::Tensor& a, const torch::Tensor& b) {
    const auto dtype = tlsComputeDtype;
    if (dtype == torch::kFloat) return torch::bmm(a, b);
    return torch::bmm(castOrSame(a, dtype), castOrSame(b, dtype)).to(torch::kFloat);
}

}  // namespace ddpm
