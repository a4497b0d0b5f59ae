#include "models/Denoiser.h"

#include "models/MlpDenoiser.h"
#include "models/UNet.h"
#include "random/Generators.h"
#include "random/WeightInit.h"

namespace ddpm {

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
