#include "models/MixedPrecision.h"

#include <torch/nn/functional/linear.h>

namespace ddpm {

namespace {
thread_local torch::ScalarType tlsComputeDtype = torch::kFloat;
thread_local MultiplyAddCounter* tlsCounter = nullptr;

torch::Tensor castOrSame(const torch::Tensor& t, torch::ScalarType dtype) {
    return t.defined() && t.scalar_type() != dtype ? t.to(dtype) : t;
}
// y = conv(x): each output element is Cin/groups * kh * kw multiply-adds.
void countConv(const torch::nn::Conv2d& layer, const torch::Tensor& y) {
    if (tlsCounter) tlsCounter->add(y.numel() * layer->weight.size(1) * layer->weight.size(2) * layer->weight.size(3));
}
}  // namespace

MultiplyAddCounter::MultiplyAddCounter() : previous_(tlsCounter) { tlsCounter = this; }
MultiplyAddCounter::~MultiplyAddCounter() { tlsCounter = previous_; }

ComputeDtypeGuard::ComputeDtypeGuard(torch::ScalarType dtype) : previous_(tlsComputeDtype) { tlsComputeDtype = dtype; }
ComputeDtypeGuard::~ComputeDtypeGuard() { tlsComputeDtype = previous_; }
torch::ScalarType computeDtype() { return tlsComputeDtype; }

torch::Tensor conv(torch::nn::Conv2d& layer, const torch::Tensor& x) {
    const auto dtype = tlsComputeDtype;
    torch::Tensor y;
    if (dtype == torch::kFloat) {
        y = layer->forward(x);
    } else {
        // Every conv here pads k/2 ("same" for odd kernels); its stride is in the options.
        const int64_t pad = layer->weight.size(2) / 2;
        y = torch::conv2d(castOrSame(x, dtype), castOrSame(layer->weight, dtype), castOrSame(layer->bias, dtype),
                          layer->options.stride(), {pad, pad})
                .to(torch::kFloat);
    }
    countConv(layer, y);
    return y;
}

torch::Tensor linear(torch::nn::Linear& layer, const torch::Tensor& x) {
    const auto dtype = tlsComputeDtype;
    if (tlsCounter) tlsCounter->add(x.numel() / x.size(-1) * layer->weight.numel());   // rows x out x in
    if (dtype == torch::kFloat) return layer->forward(x);
    return torch::nn::functional::linear(castOrSame(x, dtype), castOrSame(layer->weight, dtype),
                                         castOrSame(layer->bias, dtype))
        .to(torch::kFloat);
}

torch::Tensor bmm(const torch::Tensor& a, const torch::Tensor& b) {
    const auto dtype = tlsComputeDtype;
    if (tlsCounter) tlsCounter->add(a.size(0) * a.size(1) * a.size(2) * b.size(2));   // (B,n,k) x (B,k,m)
    if (dtype == torch::kFloat) return torch::bmm(a, b);
    return torch::bmm(castOrSame(a, dtype), castOrSame(b, dtype)).to(torch::kFloat);
}

}  // namespace ddpm
