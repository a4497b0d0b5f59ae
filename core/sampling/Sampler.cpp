#include "sampling/Sampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "models/MixedPrecision.h"
#include "util/Cancelled.h"

namespace ddpm {

std::string toString(SamplerKind kind) { return kind == SamplerKind::Ddpm ? "ddpm" : "ddim"; }

SamplerKind samplerKindFromString(const std::string& name) {
    if (name == "ddpm") return SamplerKind::Ddpm;
    if (name == "ddim") return SamplerKind::Ddim;
    throw std::invalid_argument("unknown sampler '" + name + "' (ddpm, ddim)");
}

std::vector<int> samplingTimesteps(const SamplerConfig& config, int T) {
    std::vector<int> ts;
    if (config.kind == SamplerKind::Ddpm) {
        for (int t = T - 1; t >= 0; --t) ts.push_back(t);
        return ts;
    }
    const int n = std::clamp(config.steps, 1, T);
    for (int i = n - 1; i >= 0; --i) {
        const double u = n == 1 ? 1.0 : double(i) / double(n - 1);   // 1 … 0
        const double f = config.quadraticSpacing ? u * u : u;
        ts.push_back(int(std::lround(f * (T - 1))));
    }
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());   // quadratic spacing can repeat near 0
    return ts;
}

torch::Tensor sampleClassLabels(const SamplerConfig& config, int numClasses, torch::Device device) {
    auto opts = torch::TensorOptions().dtype(torch::kInt64).device(device);
    if (config.classLabel >= 0) {
        if (config.classLabel >= numClasses)
            throw std::invalid_argument("class " + std::to_string(config.classLabel) + " is beyond the model's " +
                                        std::to_string(numClasses) + " classes");
        return torch::full({config.count}, config.classLabel, opts);
    }
    return torch::arange(config.count, opts).remainder(numClasses);
}

namespace {

torch::ScalarType dtypeFor(Precision p, torch::Device device) {
    if (p == Precision::Bf16) return torch::kBFloat16;
    if (p == Precision::Fp16) return device.is_cuda() ? torch::kHalf : torch::kBFloat16;
    return torch::kFloat;
}

// The model's raw output at (x, t), with classifier-free guidance applied.
torch::Tensor guidedOutput(Denoiser& model, const torch::Tensor& x, const torch::Tensor& t,
                           const torch::Tensor& classes, double guidance) {
    if (!classes.defined() || guidance == 1.0) return model.forward(x, t, classes);
    const int nullClass = model.config().numClasses;
    if (guidance == 0.0) return model.forward(x, t, torch::full_like(classes, nullClass));
    // One batched pass for the conditional and unconditional halves.
    auto both = model.forward(torch::cat({x, x}), torch::cat({t, t}),
                              torch::cat({classes, torch::full_like(classes, nullClass)}));
    auto halves = both.chunk(2, 0);
    return halves[1] + guidance * (halves[0] - halves[1]);
}

}  // namespace

torch::Tensor sample(Denoiser& model, const NoiseSchedule& schedule, Objective objective,
                     const SamplerConfig& config, const FrameCallback& onFrame) {
    torch::InferenceMode inference;
    model.eval();
    const ModelConfig& mc = model.config();
    const bool points = mc.kind == DenoiserKind::Mlp;
    const torch::Device device = model.parameters().front().device();
    const int T = schedule.timesteps();
    if (config.count < 1) throw std::invalid_argument("sample count must be at least 1");
    if (!(config.eta >= 0 && config.eta <= 1)) throw std::invalid_argument("DDIM eta must be in [0, 1]");

    // The sampler's own generator: sampling never disturbs a training run's RNG.
    auto generator = at::detail::createCPUGenerator(config.seed);
    auto randn = [&](at::IntArrayRef shape) {
        return torch::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat)).to(device);
    };
    std::vector<int64_t> shape = points ? std::vector<int64_t>{config.count, 2}
                                        : std::vector<int64_t>{config.count, mc.inChannels, mc.resolution, mc.resolution};
    torch::Tensor x = randn(shape);   // x_T ~ N(0, I)
    const torch::Tensor classes = mc.numClasses > 0 ? sampleClassLabels(config, mc.numClasses, device) : torch::Tensor();
    const ComputeDtypeGuard precision(dtypeFor(config.precision, device));

    const std::vector<int> ts = samplingTimesteps(config, T);
    const int total = int(ts.size());
    if (onFrame && !onFrame({0, total, T, x, torch::Tensor()})) throw Cancelled();
    const auto& abar = schedule.alphasCumprod();
    for (int i = 0; i < total; ++i) {
        const int t = ts[size_t(i)];
        const double a = std::sqrt(abar[size_t(t)]), s = std::sqrt(1.0 - abar[size_t(t)]);
        const auto tBatch = torch::full({config.count}, t, torch::TensorOptions().dtype(torch::kInt64).device(device));
        const auto output = guidedOutput(model, x, tBatch, classes, config.guidance);
        const auto aT = torch::full({1}, a, x.options()), sT = torch::full({1}, s, x.options());
        Prediction pred = toPrediction(objective, output, x, aT, sT);
        if (config.clipX0 && !points) {
            pred.x0 = pred.x0.clamp(-1.0, 1.0);
            pred.eps = epsFromX0(pred.x0, x, aT, sT);
        }
        if (config.kind == SamplerKind::Ddpm) {
            // x_{t−1} = c1 x̂0 + c2 x_t + σ z, no noise at the last step.
            x = schedule.posteriorMeanCoef1()[size_t(t)] * pred.x0 + schedule.posteriorMeanCoef2()[size_t(t)] * x;
            if (t > 0) {
                const double variance = config.ddpmPosteriorVariance
                                            ? std::exp(schedule.posteriorLogVarianceClipped()[size_t(t)])
                                            : schedule.betas()[size_t(t)];
                x = x + std::sqrt(variance) * randn(shape);
            }
        } else {
            // x_prev = √ᾱ_prev x̂0 + √(1−ᾱ_prev−σ²) ε̂ + σ z (Song et al. 2021, eq. 12).
            const double abarT = abar[size_t(t)];
            const double abarPrev = i + 1 < total ? abar[size_t(ts[size_t(i + 1)])] : 1.0;
            const double sigma = config.eta * std::sqrt((1 - abarPrev) / (1 - abarT)) * std::sqrt(1 - abarT / abarPrev);
            x = std::sqrt(abarPrev) * pred.x0 + std::sqrt(std::max(0.0, 1 - abarPrev - sigma * sigma)) * pred.eps;
            if (sigma > 0) x = x + sigma * randn(shape);
        }
        const bool last = i + 1 == total;
        if (onFrame && (last || (config.frameEvery > 0 && (i + 1) % config.frameEvery == 0))) {
            const int tNext = last ? 0 : ts[size_t(i + 1)];
            if (!onFrame({i + 1, total, tNext, x, pred.x0})) throw Cancelled();
        }
    }
    return x;
}

}  // namespace ddpm
