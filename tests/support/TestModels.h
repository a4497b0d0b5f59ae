#pragma once
// Models for tests: fresh weights from a seeded generator of their own.
#include <cstdint>
#include <memory>

#include "models/Denoiser.h"

namespace ddpm::test {

std::shared_ptr<Denoiser> seededDenoiser(const ModelConfig& config, uint64_t seed = 0);

}  // namespace ddpm::test
