#include "training/LossScaler.h"

namespace ddpm {

void LossScaler::unscale(std::vector<torch::Tensor>& parameters) const {
    torch::NoGradGuard noGrad;
    for (auto& p : parameters)
        if (p.grad().defined()) p.mutable_grad().div_(scale_);
}

bool LossScaler::update(bool gradientsFinite) {
    if (!gradientsFinite) {
        scale_ = std::max(1.0, scale_ / 2);
        cleanSteps_ = 0;
        return false;
    }
    if (++cleanSteps_ >= growthInterval_) {
        scale_ *= 2;
        cleanSteps_ = 0;
    }
    return true;
}

}  // namespace ddpm
