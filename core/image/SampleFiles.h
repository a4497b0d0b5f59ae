#pragma once
// Samples on disk: a PNG grid (with the generation parameters in its text
// chunks) for images, "x,y" CSV rows for 2-D points. Written atomically.
#include <map>
#include <string>

#include <torch/types.h>

#include "diffusion/SampleSpace.h"

namespace ddpm {

// samples (N,…) in `space`: pixels in [-1,1] become a grid (`columns` wide; 0: about
// square), points CSV rows.
void writeSamples(const torch::Tensor& samples, const SampleSpace& space, const std::string& path,
                  const std::map<std::string, std::string>& parameters, int columns = 0);

}  // namespace ddpm
