#include "models/Denoiser.h"

#include "conditioning/WordTokenizer.h"
#include "models/MlpDenoiser.h"
#include "models/UNet.h"
#include "random/Generators.h"
#include "random/WeightInit.h"

namespace ddpm {

Conditioning Denoiser::conditioning() const {
    if (!config_.text.enabled()) return Conditioning(config_.numClasses);
    // The empty prompt: start, end, padding (WordTokenizer::encode("")).
    const int64_t L = config_.text.context;
    Condition prompt;
    prompt.tokens = torch::full({1, L}, WordTokenizer::kPad, torch::kInt64);                   // (1,L)
    prompt.tokens.index_put_({0, 0}, WordTokenizer::kStart);
    prompt.tokens.index_put_({0, 1}, WordTokenizer::kEnd);
    prompt.mask = torch::arange(L, torch::kInt64).lt(2).unsqueeze(0);                         // (1,L) bool
    return Conditioning(prompt);
}

int64_t Denoiser::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

torch::Device Denoiser::device() const {
    const auto params = parameters();
    return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

std::shared_ptr<Denoiser> makeBlankDenoiser(const ModelConfig& config) {
    if (config.kind == DenoiserKind::Mlp) return std::make_shared<MlpDenoiserImpl>(config);
    return std::make_shared<UNetImpl>(config);
}

std::shared_ptr<Denoiser> makeDenoiser(const ModelConfig& config, at::Generator& generator) {
    auto model = makeBlankDenoiser(config);
    initializeWeights(*model, generator);
    return model;
}

}  // namespace ddpm
