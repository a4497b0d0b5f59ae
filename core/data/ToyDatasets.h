#pragma once
// Seeded 2-D point clouds for the warm-up mode where diffusion trains in seconds.
#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm {

// Names without the "toy:" prefix: gmm8, gmm25, moons, swissroll, rings.
std::vector<std::string> toyDatasetNames();
// Points are scaled to roughly unit standard deviation; mixture datasets label
// each point with its mode, so mode coverage can be checked.
Dataset makeToyDataset(const std::string& name, int64_t count = 10000, uint64_t seed = 0);
// Mode centres of gmm8 / gmm25 (empty for the others), in the dataset's scale.
std::vector<std::pair<float, float>> toyModeCentres(const std::string& name);

}  // namespace ddpm
