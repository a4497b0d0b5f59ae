#include "models/Denoiser.h"

#include "conditioning/ClipTextEncoder.h"
#include "models/MlpDenoiser.h"
#include "models/UNet.h"
#include "random/Generators.h"
#include "random/WeightInit.h"

namespace ddpm {

Conditioning Denoiser::conditioning() const {
    if (!config_.text.enabled()) return Conditioning(config_.numClasses);
    return Conditioning(emptyPrompt());
}

Condition Denoiser::emptyPrompt() const { throw std::logic_error("this denoiser takes no prompts"); }

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
    if (config.text.usesClip()) {
        // The null condition is what the frozen encoder makes of "" (start, end), zero past its end.
        const int64_t L = config.text.context;
        const ClipEncoding empty = ClipTextEncoder::open(config.text.clipFolder())->encode({""}, L, true);   // (1,2,D)
        static_cast<UNetImpl&>(*model).setEmptyPromptFeatures(torch::constant_pad_nd(empty.hidden, {0, 0, 0, L - empty.hidden.size(1)}));
    }
    return model;
}

}  // namespace ddpm
