#pragma once
// The autoencoder a latent run trains on: an autoencoder's checkpoint from
// `ddpm train-vae`, or the one a latent model's checkpoint carries, so that a
// new latent model (with prompts, say) can share an existing model's latents.
#include <memory>
#include <string>

#include <torch/types.h>

namespace ddpm {

struct TrainedAutoencoder;

// Throws CheckpointError naming `path` and the reason (a pixel model's checkpoint included).
std::shared_ptr<TrainedAutoencoder> loadAutoencoderFrom(const std::string& path, torch::Device device);

}  // namespace ddpm
