#pragma once
// The CIFAR-10 / CIFAR-100 binary versions: fixed-size records of a label byte
// (two for CIFAR-100: coarse, fine) followed by 32x32x3 planar pixels.
#include <string>

#include "data/Dataset.h"
#include "data/DatasetLoader.h"

namespace ddpm {

bool isCifarFolder(const std::string& folder);
bool isCifarFileName(const std::string& fileName);
Dataset loadCifar(const std::string& pathOrFolder, const LoadOptions& options);

}  // namespace ddpm
