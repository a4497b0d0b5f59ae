#include "diffusion/Parameterization.h"

#include <stdexcept>

namespace ddpm {

std::string toString(Objective objective) {
    switch (objective) {
        case Objective::Epsilon: return "eps";
        case Objective::X0: return "x0";
        case Objective::Velocity: return "v";
    }
    return "?";
}

Objective objectiveFromString(const std::string& name) {
    if (name == "eps") return Objective::Epsilon;
    if (name == "x0") return Objective::X0;
    if (name == "v") return Objective::Velocity;
    throw std::invalid_argument("unknown objective '" + name + "' (eps, x0, v)");
}

std::string toString(LossWeighting weighting) { return weighting == LossWeighting::Uniform ? "mse" : "min-snr"; }

LossWeighting lossWeightingFromString(const std::string& name) {
    if (name == "mse") return LossWeighting::Uniform;
    if (name == "min-snr") return LossWeighting::MinSnr;
    throw std::invalid_argument("unknown loss weighting '" + name + "' (mse, min-snr)");
}

Prediction toPrediction(Objective objective, const torch::Tensor& output, const torch::Tensor& xt,
                        const torch::Tensor& a, const torch::Tensor& s) {
    switch (objective) {
        case Objective::Epsilon: return {(xt - s * output) / a, output};
        case Objective::X0: return {output, (xt - a * output) / s};
        case Objective::Velocity: return {a * xt - s * output, s * xt + a * output};
    }
    throw std::logic_error("objective");
}

torch::Tensor epsFromX0(const torch::Tensor& x0, const torch::Tensor& xt, const torch::Tensor& a,
                        const torch::Tensor& s) {
    return (xt - a * x0) / s;
}

torch::Tensor trainingTarget(Objective objective, const torch::Tensor& x0, const torch::Tensor& eps,
                             const torch::Tensor& a, const torch::Tensor& s) {
    switch (objective) {
        case Objective::Epsilon: return eps;
        case Objective::X0: return x0;
        case Objective::Velocity: return a * eps - s * x0;
    }
    throw std::logic_error("objective");
}

torch::Tensor lossWeight(Objective objective, LossWeighting weighting, const torch::Tensor& snr, double gamma) {
    if (weighting == LossWeighting::Uniform) return torch::ones_like(snr);
    const auto clipped = torch::clamp_max(snr, gamma);
    // ‖ε̂−ε‖² = SNR‖x̂0−x0‖², ‖v̂−v‖² = (SNR+1)‖x̂0−x0‖².
    switch (objective) {
        case Objective::Epsilon: return clipped / snr;
        case Objective::X0: return clipped;
        case Objective::Velocity: return clipped / (snr + 1);
    }
    throw std::logic_error("objective");
}

}  // namespace ddpm
