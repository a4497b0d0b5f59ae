#include "random/Generators.h"

#include <mutex>

#include <ATen/CPUGeneratorImpl.h>

namespace ddpm {

uint64_t streamSeed(uint64_t seed, RandomStream stream) {
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(stream) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

at::Generator makeGenerator(uint64_t seed, RandomStream stream) {
    return at::detail::createCPUGenerator(streamSeed(seed, stream));
}

at::Generator makeGenerator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

torch::Tensor generatorState(at::Generator generator) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void setGeneratorState(at::Generator& generator, const torch::Tensor& state) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

}  // namespace ddpm
