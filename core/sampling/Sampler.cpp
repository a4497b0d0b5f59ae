#include "sampling/Sampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "conditioning/PromptEncoding.h"
#include "models/MixedPrecision.h"
#include "random/Generators.h"
#include "sampling/Guidance.h"
#include "util/Cancelled.h"

namespace ddpm {

std::vector<int> samplingTimesteps(const SamplingParameters& parameters, int T) {
    std::vector<int> ts;
    if (parameters.sampler == SamplerKind::Ddpm) {
        for (int t = T - 1; t >= 0; --t) ts.push_back(t);
        return ts;
    }
    const int n = std::clamp(parameters.steps, 1, T);
    for (int i = n - 1; i >= 0; --i) {
        const double u = n == 1 ? 1.0 : double(i) / double(n - 1);   // 1 … 0
        const double f = parameters.quadraticSpacing ? u * u : u;
        ts.push_back(int(std::lround(f * (T - 1))));
    }
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());   // quadratic spacing can repeat near 0
    return ts;
}

Condition samplingCondition(const SamplingParameters& p, const Denoiser& model, torch::Device device) {
    const ModelConfig& config = model.config();
    if (config.text.enabled()) {
        if (p.classLabel >= 0) throw std::invalid_argument("this model takes prompts, not classes");
        return encodePrompts(config, {p.prompt}, device).condition.expand(p.count);
    }
    if (!p.prompt.empty() || !p.negativePrompt.empty())
        throw std::invalid_argument("this model takes no prompts (it was trained without text)");
    const Conditioning conditioning = model.conditioning();
    if (!conditioning.conditional()) return {};
    const int n = conditioning.numClasses();
    auto opts = torch::TensorOptions().dtype(torch::kInt64).device(device);
    if (p.classLabel >= n)
        throw std::invalid_argument("class " + std::to_string(p.classLabel) + " is beyond the model's " +
                                    std::to_string(n) + " classes");
    const auto labels = p.classLabel >= 0 ? torch::full({p.count}, p.classLabel, opts)
                                          : torch::arange(p.count, opts).remainder(n);   // (count)
    return conditioning.fromLabels(labels);
}

Condition negativeCondition(const SamplingParameters& p, const Denoiser& model, torch::Device device) {
    if (p.negativePrompt.empty()) return {};
    if (!model.config().text.enabled()) throw std::invalid_argument("this model takes no prompts (it was trained without text)");
    return encodePrompts(model.config(), {p.negativePrompt}, device).condition.expand(p.count);
}

namespace {

torch::ScalarType dtypeFor(Precision p, torch::Device device) {
    if (p == Precision::Bf16) return torch::kBFloat16;
    if (p == Precision::Fp16) return device.is_cuda() ? torch::kHalf : torch::kBFloat16;
    return torch::kFloat;
}

}  // namespace

torch::Tensor sample(Denoiser& model, const NoiseSchedule& schedule, Objective objective, const SampleSpace& space,
                     const SamplingParameters& parameters, const FrameCallback& onFrame, int frameEvery) {
    torch::InferenceMode inference;
    model.eval();
    if (space.itemShape() != model.config().space().itemShape())
        throw std::invalid_argument("the model denoises " + model.config().space().describe() + ", not " + space.describe());
    const torch::Device device = model.device();
    const int T = schedule.timesteps();
    if (parameters.count < 1) throw std::invalid_argument("sample count must be at least 1");
    if (!(parameters.eta >= 0 && parameters.eta <= 1)) throw std::invalid_argument("DDIM eta must be in [0, 1]");

    // The sampler's own generator: sampling never disturbs a training run's RNG.
    auto generator = makeGenerator(parameters.seed);
    auto randn = [&](at::IntArrayRef shape) {
        return torch::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat)).to(device);
    };
    const std::vector<int64_t> shape = space.batchShape(parameters.count);
    torch::Tensor x = randn(shape);   // x_T ~ N(0, I)
    const Condition condition = samplingCondition(parameters, model, device);
    const Condition negative = negativeCondition(parameters, model, device);
    const ComputeDtypeGuard precision(dtypeFor(parameters.precision, device));

    const std::vector<int> ts = samplingTimesteps(parameters, T);
    const int total = int(ts.size());
    if (onFrame && !onFrame({0, total, T, x, torch::Tensor()})) throw Cancelled();
    const auto& abar = schedule.alphasCumprod();
    for (int i = 0; i < total; ++i) {
        const int t = ts[size_t(i)];
        const double a = std::sqrt(abar[size_t(t)]), s = std::sqrt(1.0 - abar[size_t(t)]);
        const auto tBatch = torch::full({parameters.count}, t, torch::TensorOptions().dtype(torch::kInt64).device(device));
        const auto output = guidedOutput(model, x, tBatch, condition, parameters.guidance, negative);
        const auto aT = torch::full({1}, a, x.options()), sT = torch::full({1}, s, x.options());
        Prediction pred = toPrediction(objective, output, x, aT, sT);
        if (parameters.clipX0 && space.boundedToUnitRange()) {
            pred.x0 = pred.x0.clamp(-1.0, 1.0);
            pred.eps = epsFromX0(pred.x0, x, aT, sT);
        }
        if (parameters.sampler == SamplerKind::Ddpm) {
            // x_{t−1} = c1 x̂0 + c2 x_t + σ z, no noise at the last step.
            x = schedule.posteriorMeanCoef1()[size_t(t)] * pred.x0 + schedule.posteriorMeanCoef2()[size_t(t)] * x;
            if (t > 0) {
                const double variance = parameters.ddpmPosteriorVariance
                                            ? std::exp(schedule.posteriorLogVarianceClipped()[size_t(t)])
                                            : schedule.betas()[size_t(t)];
                x = x + std::sqrt(variance) * randn(shape);
            }
        } else {
            // x_prev = √ᾱ_prev x̂0 + √(1−ᾱ_prev−σ²) ε̂ + σ z (Song et al. 2021, eq. 12).
            const double abarT = abar[size_t(t)];
            const double abarPrev = i + 1 < total ? abar[size_t(ts[size_t(i + 1)])] : 1.0;
            const double sigma = parameters.eta * std::sqrt((1 - abarPrev) / (1 - abarT)) * std::sqrt(1 - abarT / abarPrev);
            x = std::sqrt(abarPrev) * pred.x0 + std::sqrt(std::max(0.0, 1 - abarPrev - sigma * sigma)) * pred.eps;
            if (sigma > 0) x = x + sigma * randn(shape);
        }
        const bool last = i + 1 == total;
        if (onFrame && (last || (frameEvery > 0 && (i + 1) % frameEvery == 0))) {
            const int tNext = last ? 0 : ts[size_t(i + 1)];
            if (!onFrame({i + 1, total, tNext, x, pred.x0})) throw Cancelled();
        }
    }
    return x;
}

}  // namespace ddpm
