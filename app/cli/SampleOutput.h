#pragma once
// Writing samples to disk: PNG grids (with the generation parameters in text
// chunks) for images, CSV "x,y" rows for 2-D points.
#include <map>
#include <string>

#include <torch/types.h>

namespace ddpm {
class Trainer;
}

namespace ddpm::cli {

void writeSamples(const torch::Tensor& samples, bool points, const std::string& path,
                  const std::map<std::string, std::string>& parameters);
// 64 DDIM-50 samples (seed 0) from the trainer's EMA weights; 2-D models write
// 2,000 points to a .csv beside `path` instead. Returns the file written.
std::string writeSampleGrid(Trainer& trainer, const std::string& path);

}  // namespace ddpm::cli
