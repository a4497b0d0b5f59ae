#pragma once
// Exponential moving average of a model's weights, the copy used for sampling.
#include <memory>

#include "models/Denoiser.h"

namespace ddpm {

class Ema {
public:
    // ema starts as a copy of model's weights.
    Ema(Denoiser& model, std::shared_ptr<Denoiser> ema, double decay);
    // ema ← d·ema + (1−d)·model with d = min(decay, (1+n)/(10+n)), n = updates so far:
    // the warm-up keeps early EMA weights close to the fast-moving model.
    void update(Denoiser& model, int64_t updatesSoFar);
    static double effectiveDecay(double decay, int64_t updatesSoFar);
    Denoiser& model() { return *ema_; }
    std::shared_ptr<Denoiser> shared() const { return ema_; }

private:
    std::shared_ptr<Denoiser> ema_;
    double decay_;
};

// Copies every parameter and buffer of `from` into `to` (same architecture).
void copyWeights(Denoiser& from, Denoiser& to);

}  // namespace ddpm
