#pragma once
// One *.ckpt file: model, EMA model, optimizer state, step, RNG state and the
// full run configuration, written atomically. A latent run's file also carries
// its autoencoder, so that it samples pictures on its own.
#include <memory>
#include <stdexcept>
#include <string>

#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/types.h>

#include "models/Denoiser.h"
#include "training/RunConfig.h"
#include "training/TrainingProgress.h"

namespace ddpm {

struct TrainedAutoencoder;

// What a checkpoint can't be read for: names the file and the reason.
class CheckpointError : public std::runtime_error {
public:
    CheckpointError(const std::string& path, const std::string& reason)
        : std::runtime_error(path + ": " + reason) {}
};

// The states of a run's own generators (random/Generators.h).
struct RunRandomState {
    torch::Tensor noise;       // timesteps, noise, condition and dropout masks
    torch::Tensor dataOrder;   // the batch sampler's; undefined in checkpoints from before it had its own
};

struct CheckpointContents {
    RunConfig config;
    std::shared_ptr<Denoiser> model, ema;   // on the requested device; ema in eval mode
    TrainingProgress progress;
    RunRandomState random;
    double lossScale = 0;                   // fp16 runs
    std::shared_ptr<torch::serialize::InputArchive> optimizerState;
    std::shared_ptr<TrainedAutoencoder> autoencoder;   // latent runs (on the requested device); null otherwise
};

// `autoencoder`: a latent run's (required then), null for pixels and points.
void saveCheckpoint(const std::string& path, const RunConfig& config, Denoiser& model, Denoiser& ema,
                    torch::optim::Optimizer& optimizer, const TrainingProgress& progress, double lossScale,
                    const RunRandomState& random, TrainedAutoencoder* autoencoder);
// Throws CheckpointError saying exactly what is wrong.
CheckpointContents loadCheckpoint(const std::string& path, torch::Device device);
// Only the progress, without building the models: for ordering a run's checkpoints.
TrainingProgress readCheckpointProgress(const std::string& path);

bool looksLikeCheckpoint(const std::string& path);   // by its name or its zip magic

}  // namespace ddpm
