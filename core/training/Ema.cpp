#include "training/Ema.h"

#include <algorithm>

#include <ATen/ops/_foreach_add.h>
#include <ATen/ops/_foreach_mul.h>
#include <torch/types.h>

namespace ddpm {

void copyWeights(Denoiser& from, Denoiser& to) {
    torch::NoGradGuard noGrad;
    auto src = from.parameters(), dst = to.parameters();
    for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
    auto srcBuffers = from.buffers(), dstBuffers = to.buffers();
    for (size_t i = 0; i < srcBuffers.size(); ++i) dstBuffers[i].copy_(srcBuffers[i]);
}

Ema::Ema(Denoiser& model, std::shared_ptr<Denoiser> ema, double decay) : ema_(std::move(ema)), decay_(decay) {
    copyWeights(model, *ema_);
    for (auto& p : ema_->parameters()) p.set_requires_grad(false);
    ema_->eval();
}

double Ema::effectiveDecay(double decay, int64_t n) { return std::min(decay, (1.0 + double(n)) / (10.0 + double(n))); }

void Ema::update(Denoiser& model, int64_t updatesSoFar) {
    torch::NoGradGuard noGrad;
    const double d = effectiveDecay(decay_, updatesSoFar);
    std::vector<torch::Tensor> emaParams = ema_->parameters(), modelParams = model.parameters();
    at::_foreach_mul_(emaParams, d);
    at::_foreach_add_(emaParams, modelParams, 1.0 - d);
}

}  // namespace ddpm
