#pragma once
// How a dataset's items map into a SampleSpace, as tensors. (Back: samples in
// [-1,1] become pictures through image/ImageGrid.h, points stay floats.)
#include <torch/types.h>

#include "data/Dataset.h"
#include "diffusion/SampleSpace.h"

namespace ddpm {

// Items [begin, begin+count) of a dataset as stored: (n,C,H,W) uint8 images or (n,2) float points, on the CPU.
// (A latent space's items are encoded images: autoencoder/LatentCodec.h.)
torch::Tensor storedItems(const Dataset& dataset, int64_t begin, int64_t count, const SampleSpace& space);
// Stored items -> the model's space: pixels to [-1,1] floats, points and latents unchanged (floats).
torch::Tensor toModelSpace(const SampleSpace& space, const torch::Tensor& stored);

}  // namespace ddpm
