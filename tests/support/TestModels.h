#pragma once
// Models for tests: fresh weights from a seeded generator of their own.
#include <cstdint>
#include <memory>

#include "models/Denoiser.h"

namespace ddpm {
class Trainer;
}

namespace ddpm::test {

std::shared_ptr<Denoiser> seededDenoiser(const ModelConfig& config, uint64_t seed = 0);

// Two samples of "a bright square" (captionedSquares' prompt) from the trainer's EMA weights:
// three DDIM steps at guidance 2, away from "dim". (2,C,H,W)
torch::Tensor brightSquareSamples(Trainer& trainer);

}  // namespace ddpm::test
