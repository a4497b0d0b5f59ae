#pragma once
// Dynamic loss scaling for fp16 training (LibTorch has no GradScaler): the
// loss is multiplied by S before backward so small gradients survive fp16;
// gradients are divided by S before clipping; on inf/NaN the step is skipped
// and S halves, and after `growthInterval` clean steps S doubles.
#include <vector>

#include <torch/types.h>

namespace ddpm {

class LossScaler {
public:
    explicit LossScaler(double initialScale = 65536.0, int growthInterval = 2000)
        : scale_(initialScale), growthInterval_(growthInterval) {}
    torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
    void unscale(std::vector<torch::Tensor>& parameters) const;
    // Call after each step with whether the gradients were finite; returns
    // whether the optimizer step should be taken.
    bool update(bool gradientsFinite);
    double currentScale() const { return scale_; }
    void setScale(double scale) { scale_ = scale; }

private:
    double scale_;
    int growthInterval_;
    int cleanSteps_ = 0;
};

}  // namespace ddpm
