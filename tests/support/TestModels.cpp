#include "support/TestModels.h"

#include "random/Generators.h"

namespace ddpm::test {

std::shared_ptr<Denoiser> seededDenoiser(const ModelConfig& config, uint64_t seed) {
    at::Generator generator = makeGenerator(seed, RandomStream::WeightInit);
    return makeDenoiser(config, generator);
}

}  // namespace ddpm::test
