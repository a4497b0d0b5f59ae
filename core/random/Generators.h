#pragma once
// Random generators a run owns. Every random draw in core/ comes from one of
// these, never from the process-wide generator: other threads (the app's
// previews, its Denoise and Samples workers) draw from that one at any time.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace ddpm {

// Independent streams of one run, each seeded from the run's seed.
enum class RandomStream : uint64_t {
    WeightInit = 1,   // the model's initial weights
    DataOrder = 2,    // which items each batch holds
    Noise = 3,        // timesteps, Gaussian noise, condition and dropout masks
    Augment = 4,      // data augmentation (the feature classifier's shifts)
};

// A well-mixed seed for `stream` of a run seeded with `seed` (SplitMix64).
uint64_t streamSeed(uint64_t seed, RandomStream stream);

// A CPU generator seeded for `stream`.
at::Generator makeGenerator(uint64_t seed, RandomStream stream);
// A CPU generator seeded with `seed` itself (a sampler's seed, as the user gave it).
at::Generator makeGenerator(uint64_t seed);

// The generator's state as a (uint8) tensor, and back; set throws if it is not a CPU generator state.
torch::Tensor generatorState(at::Generator generator);   // a handle: shares the generator
void setGeneratorState(at::Generator& generator, const torch::Tensor& state);

}  // namespace ddpm
