#include "models/Denoiser.h"

#include "models/MlpDenoiser.h"
#include "models/UNet.h"

namespace ddpm {

int64_t Denoiser::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

std::shared_ptr<Denoiser> makeDenoiser(const ModelConfig& config) {
    if (config.kind == DenoiserKind::Mlp) return std::make_shared<MlpDenoiserImpl>(config);
    return std::make_shared<UNetImpl>(config);
}

}  // namespace ddpm
