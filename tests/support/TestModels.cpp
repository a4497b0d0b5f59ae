#include "support/TestModels.h"

#include "random/Generators.h"
#include "sampling/Sampler.h"
#include "training/Trainer.h"

namespace ddpm::test {

std::shared_ptr<Denoiser> seededDenoiser(const ModelConfig& config, uint64_t seed) {
    at::Generator generator = makeGenerator(seed, RandomStream::WeightInit);
    return makeDenoiser(config, generator);
}

torch::Tensor brightSquareSamples(Trainer& trainer) {
    SamplingParameters p;
    p.steps = 3;
    p.count = 2;
    p.prompt = "a bright square";
    p.guidance = 2.0;
    p.negativePrompt = "dim";
    const RunConfig& run = trainer.config();
    return sample(trainer.emaModel(), trainer.schedule(), run.objective, run.data.space, p);
}

}  // namespace ddpm::test
