#pragma once
// Between pictures and an autoencoder's scaled latents: the space a latent
// diffusion run works in, its training set encoded once (and cached), and its
// samples decoded to the pictures they stand for.
#include <cstdint>
#include <functional>

#include <torch/types.h>

#include "autoencoder/AutoencoderFile.h"
#include "data/Dataset.h"
#include "diffusion/SampleSpace.h"

namespace ddpm {

// The latents `config` encodes its images to: Z×r×r, standing for C×R×R pixels.
SampleSpace latentSpaceOf(const AutoencoderConfig& config);
// Throws std::invalid_argument naming both when the autoencoder does not take `dataset`'s images.
void checkAutoencoderFits(const AutoencoderConfig& config, const Dataset& dataset);

// images (n,C,R,R) uint8 -> (n,Z,r,r) float: the mean latents times the scale, on the
// autoencoder's device. Batched, without gradients; nothing is drawn.
torch::Tensor encodeImages(TrainedAutoencoder& autoencoder, const torch::Tensor& images);
// latents (n,Z,r,r) as the diffusion model draws them -> pictures (n,C,R,R) in [-1,1], clamped.
torch::Tensor decodeLatents(TrainedAutoencoder& autoencoder, const torch::Tensor& latents);

// samples (n,…) in `space` as pictures (pixels in [-1,1]) or points: latents decoded
// (the autoencoder is required then), pixels and points as they are.
torch::Tensor picturesOf(const torch::Tensor& samples, const SampleSpace& space, TrainedAutoencoder* autoencoder);

// (done, total) items; false cancels (Cancelled is thrown).
using EncodeProgress = std::function<bool(int64_t done, int64_t total)>;

// Items [0, count) of `dataset` encoded (encodeImages): (count,Z,r,r) float on the CPU. Kept in
// cacheDirectory()/latents/, keyed by the autoencoder's weights and scale and the images' bytes,
// so a resumed or repeated run encodes nothing; a cache that cannot be read or written is
// passed over (the latents are encoded again).
torch::Tensor datasetLatents(TrainedAutoencoder& autoencoder, const Dataset& dataset, int64_t count,
                             const EncodeProgress& onProgress = {});

}  // namespace ddpm
