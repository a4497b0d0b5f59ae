#include "training/CheckpointRecords.h"

#include "random/Generators.h"

namespace ddpm {

void writeProgressRecords(torch::serialize::OutputArchive& root, const TrainingProgress& progress, double lossScale) {
    root.write("step", torch::tensor({progress.step}, torch::kInt64));
    root.write("horizon_steps", torch::tensor({progress.horizonSteps}, torch::kInt64));
    root.write("progress_seconds",
               torch::tensor({progress.trainedSeconds, progress.horizonSeconds, lossScale}, torch::kFloat64));
}

TrainingProgress readProgressRecords(torch::serialize::InputArchive& root, const std::string& shown, double* lossScale) {
    torch::Tensor step, horizonSteps, seconds;
    try {
        root.read("step", step);
        root.read("horizon_steps", horizonSteps);
        root.read("progress_seconds", seconds);
    } catch (const std::exception&) {
        throw CheckpointError(shown, "the training progress (step or time) is missing or damaged");
    }
    if (step.numel() != 1 || horizonSteps.numel() != 1 || seconds.numel() != 3 || step.scalar_type() != torch::kInt64 ||
        horizonSteps.scalar_type() != torch::kInt64 || seconds.scalar_type() != torch::kFloat64)
        throw CheckpointError(shown, "the training progress (step or time) has the wrong shape");
    TrainingProgress progress;
    progress.step = step.item<int64_t>();
    progress.horizonSteps = horizonSteps.item<int64_t>();
    progress.trainedSeconds = seconds[0].item<double>();
    progress.horizonSeconds = seconds[1].item<double>();
    if (lossScale) *lossScale = seconds[2].item<double>();
    return progress;
}

std::shared_ptr<torch::serialize::InputArchive> readOptimizerRecord(torch::serialize::InputArchive& root,
                                                                    const std::string& shown) {
    auto state = std::make_shared<torch::serialize::InputArchive>();
    try {
        root.read("optimizer", *state);
    } catch (const std::exception&) {
        throw CheckpointError(shown, "the training state (optimizer) is missing or damaged");
    }
    return state;
}

void writeRandomRecords(torch::serialize::OutputArchive& root, const RunRandomState& random) {
    root.write("rng_noise", random.noise);
    if (random.dataOrder.defined()) root.write("rng_data_order", random.dataOrder);   // older runs have none
}

RunRandomState readRandomRecords(torch::serialize::InputArchive& root, const std::string& shown) {
    RunRandomState random;
    try {
        // Checkpoints from before the run owned its generators kept the process-wide
        // one's state as "rng_state": it continues as the noise stream.
        if (!root.try_read("rng_noise", random.noise)) root.read("rng_state", random.noise);
        root.try_read("rng_data_order", random.dataOrder);
    } catch (const std::exception&) {
        throw CheckpointError(shown, "the training state (RNG) is missing or damaged");
    }
    const torch::Tensor generatorShape = generatorState(makeGenerator(0));
    for (const torch::Tensor& state : {random.noise, random.dataOrder})
        if (state.defined() &&
            (state.sizes() != generatorShape.sizes() || state.scalar_type() != generatorShape.scalar_type()))
            throw CheckpointError(shown, "a random generator's saved state has the wrong size");
    return random;
}

}  // namespace ddpm
