#include "diffusion/NoiseSchedule.h"

#include <cmath>
#include <stdexcept>

namespace ddpm {

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<double> makeBetas(const ScheduleConfig& c) {
    const int T = c.timesteps;
    std::vector<double> betas(static_cast<size_t>(T));
    switch (c.kind) {
        case ScheduleKind::Linear:
            for (int t = 0; t < T; ++t)
                betas[size_t(t)] = T == 1 ? c.betaStart : c.betaStart + (c.betaEnd - c.betaStart) * t / (T - 1);
            break;
        case ScheduleKind::Cosine: {
            // ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2); β_t = 1 − ᾱ_{t+1}/ᾱ_t, clipped at 0.999.
            auto f = [&](double t) { return std::pow(std::cos((t / T + c.cosineOffset) / (1 + c.cosineOffset) * kPi / 2), 2); };
            for (int t = 0; t < T; ++t) betas[size_t(t)] = std::min(1.0 - f(t + 1) / f(t), 0.999);
            break;
        }
        case ScheduleKind::Sigmoid:
            // β rises along a logistic curve from betaStart to betaEnd (as in GeoDiff).
            for (int t = 0; t < T; ++t) {
                const double x = -6.0 + 12.0 * (T == 1 ? 0.0 : double(t) / (T - 1));
                betas[size_t(t)] = c.betaStart + (c.betaEnd - c.betaStart) / (1.0 + std::exp(-x));
            }
            break;
    }
    return betas;
}
}  // namespace

std::string toString(ScheduleKind kind) {
    switch (kind) {
        case ScheduleKind::Linear: return "linear";
        case ScheduleKind::Cosine: return "cosine";
        case ScheduleKind::Sigmoid: return "sigmoid";
    }
    return "?";
}

ScheduleKind scheduleKindFromString(const std::string& name) {
    if (name == "linear") return ScheduleKind::Linear;
    if (name == "cosine") return ScheduleKind::Cosine;
    if (name == "sigmoid") return ScheduleKind::Sigmoid;
    throw std::invalid_argument("unknown schedule '" + name + "' (linear, cosine, sigmoid)");
}

NoiseSchedule::NoiseSchedule(const ScheduleConfig& config, torch::Device device) : config_(config) {
    if (config.timesteps < 1) throw std::invalid_argument("a schedule needs at least 1 timestep");
    if (!(config.betaStart > 0 && config.betaEnd < 1 && config.betaStart <= config.betaEnd))
        throw std::invalid_argument("β must satisfy 0 < betaStart <= betaEnd < 1");
    const int T = config.timesteps;
    betas_ = makeBetas(config);
    alphas_.resize(size_t(T));
    alphasCumprod_.resize(size_t(T));
    posteriorVariance_.resize(size_t(T));
    posteriorLogVarianceClipped_.resize(size_t(T));
    posteriorMeanCoef1_.resize(size_t(T));
    posteriorMeanCoef2_.resize(size_t(T));
    double cumprod = 1.0;
    for (int t = 0; t < T; ++t) {
        const auto i = size_t(t);
        alphas_[i] = 1.0 - betas_[i];
        const double prev = cumprod;   // ᾱ_{t−1}, with ᾱ_{−1} = 1
        cumprod *= alphas_[i];
        alphasCumprod_[i] = cumprod;
        // q(x_{t−1} | x_t, x0) = N(c1 x0 + c2 x_t, β̃_t)
        posteriorVariance_[i] = betas_[i] * (1.0 - prev) / (1.0 - cumprod);
        posteriorMeanCoef1_[i] = betas_[i] * std::sqrt(prev) / (1.0 - cumprod);
        posteriorMeanCoef2_[i] = (1.0 - prev) * std::sqrt(alphas_[i]) / (1.0 - cumprod);
    }
    // β̃_0 = 0: its log is clipped to β̃_1's, as in Ho et al.'s code.
    for (int t = 0; t < T; ++t) {
        const double v = (t == 0 && T > 1) ? posteriorVariance_[1] : posteriorVariance_[size_t(t)];
        posteriorLogVarianceClipped_[size_t(t)] = std::log(std::max(v, 1e-20));
    }
    std::vector<float> a(static_cast<size_t>(T)), s(static_cast<size_t>(T)), r(static_cast<size_t>(T));
    for (int t = 0; t < T; ++t) {
        a[size_t(t)] = float(sqrtAlphaCumprod(t));
        s[size_t(t)] = float(sqrtOneMinusAlphaCumprod(t));
        r[size_t(t)] = float(snr(t));
    }
    auto toTensor = [&](std::vector<float>& v) { return torch::tensor(v, torch::kFloat32).to(device); };
    sqrtAbar_ = toTensor(a);
    sqrt1mAbar_ = toTensor(s);
    snr_ = toTensor(r);
}

double NoiseSchedule::sqrtAlphaCumprod(int t) const { return std::sqrt(alphasCumprod_.at(size_t(t))); }
double NoiseSchedule::sqrtOneMinusAlphaCumprod(int t) const { return std::sqrt(1.0 - alphasCumprod_.at(size_t(t))); }
double NoiseSchedule::snr(int t) const {
    const double a = alphasCumprod_.at(size_t(t));
    return a / (1.0 - a);
}

torch::Tensor NoiseSchedule::perSample(const torch::Tensor& coefficients, const torch::Tensor& t, int64_t xDim) {
    std::vector<int64_t> shape(size_t(xDim), 1);
    shape[0] = t.size(0);
    return coefficients.index_select(0, t).view(shape);
}

torch::Tensor NoiseSchedule::qSample(const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise) const {
    const auto a = perSample(sqrtAbar_, t, x0.dim());
    const auto s = perSample(sqrt1mAbar_, t, x0.dim());
    return a * x0 + s * noise;
}

}  // namespace ddpm
