#pragma once
// What the network predicts (ε, x0 or v) and the exact conversions between
// them. With a = √ᾱ_t, s = √(1−ᾱ_t) and x_t = a x0 + s ε:
//   v = a ε − s x0,  x0 = a x_t − s v,  ε = s x_t + a v.
#include <string>

#include <torch/types.h>

namespace ddpm {

enum class Objective { Epsilon, X0, Velocity };
std::string toString(Objective objective);
Objective objectiveFromString(const std::string& name);   // "eps", "x0", "v"

enum class LossWeighting { Uniform, MinSnr };
std::string toString(LossWeighting weighting);
LossWeighting lossWeightingFromString(const std::string& name);   // "mse", "min-snr"

struct Prediction {
    torch::Tensor x0;    // (B,…) predicted clean sample
    torch::Tensor eps;   // (B,…) predicted noise
};

// Converts the network output into (x̂0, ε̂). a, s broadcast against x_t: (B,1,…,1).
Prediction toPrediction(Objective objective, const torch::Tensor& output, const torch::Tensor& xt,
                        const torch::Tensor& a, const torch::Tensor& s);
// Recomputes ε̂ from a (possibly clipped) x̂0.
torch::Tensor epsFromX0(const torch::Tensor& x0, const torch::Tensor& xt, const torch::Tensor& a,
                        const torch::Tensor& s);
// What the network should output for a training example.
torch::Tensor trainingTarget(Objective objective, const torch::Tensor& x0, const torch::Tensor& eps,
                             const torch::Tensor& a, const torch::Tensor& s);
// Per-sample loss weight (B): 1 for Uniform; for min-SNR-γ the weight that makes
// the loss equal min(SNR, γ)·‖x̂0 − x0‖² (Hang et al. 2023).
torch::Tensor lossWeight(Objective objective, LossWeighting weighting, const torch::Tensor& snr, double gamma);

}  // namespace ddpm
