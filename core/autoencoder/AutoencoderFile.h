#pragma once
// An autoencoder on disk: the *.ckpt that `ddpm train-vae` writes (its weights,
// the latent scale, and the training state to resume exactly), and the records
// any file that carries an autoencoder holds (a latent diffusion checkpoint too).
#include <memory>
#include <string>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include "autoencoder/Autoencoder.h"
#include "training/Checkpoint.h"

namespace ddpm {

inline constexpr char kAutoencoderFormat[] = "ddpm-studio-autoencoder 1";

// How an autoencoder is trained: the model, the loss and the optimizer.
struct AutoencoderTrainingConfig {
    AutoencoderConfig model;
    int batchSize = 16;
    double learningRate = 1e-3;
    int warmupSteps = 100;
    double klWeight = 1e-3;      // L1 + klWeight·KL per latent element (chosen in docs/latent-diffusion.md)
    double gradClip = 1.0;
    uint64_t seed = 0;
    std::string dataIdentity;    // Dataset::identity() of what it was trained on

    void validate() const;       // throws std::invalid_argument naming the setting
    std::string serialize() const;
    static AutoencoderTrainingConfig deserialize(const std::string& text);   // throws std::invalid_argument
};

// A trained autoencoder with what a latent model needs to use it.
struct TrainedAutoencoder {
    Autoencoder model{nullptr};
    double latentScale = 1.0;    // latents are multiplied by it: unit standard deviation on the training set
    double heldOutPsnr = 0;      // dB, mean latents decoded, measured at the save (0: not measured)
};

// The autoencoder's records (configuration, weights with their checksum, scale) in `archive`.
void writeAutoencoderRecords(torch::serialize::OutputArchive& archive, TrainedAutoencoder& autoencoder);
// Throws CheckpointError naming `shown` and what is missing, damaged or mis-shaped.
TrainedAutoencoder readAutoencoderRecords(torch::serialize::InputArchive& archive, const std::string& shown);

struct AutoencoderCheckpoint {
    AutoencoderTrainingConfig config;
    TrainedAutoencoder autoencoder;
    TrainingProgress progress;
    RunRandomState random;
    std::shared_ptr<torch::serialize::InputArchive> optimizerState;
};

void saveAutoencoderCheckpoint(const std::string& path, const AutoencoderTrainingConfig& config,
                               TrainedAutoencoder& autoencoder, torch::optim::Optimizer& optimizer,
                               const TrainingProgress& progress, const RunRandomState& random);
// Throws CheckpointError saying exactly what is wrong (a diffusion checkpoint included).
AutoencoderCheckpoint loadAutoencoderCheckpoint(const std::string& path, torch::Device device);
// Whether the file says it is an autoencoder checkpoint (false for anything unreadable).
bool isAutoencoderCheckpoint(const std::string& path);

}  // namespace ddpm
