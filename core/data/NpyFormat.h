#pragma once
// NumPy .npy files of uint8 images: (N,H,W) grey, (N,H,W,C) or (N,C,H,W) with
// C = 1 or 3. This is what bench/reference_ddpm.py writes its samples as, so `ddpm eval
// --samples` can score them against the same held-out digits.
#include <string>

#include "data/Dataset.h"
#include "data/DatasetLoader.h"

namespace ddpm {

bool isNpyFileName(const std::string& fileName);
// Throws DatasetError naming the file and what is wrong with its header or size.
Dataset loadNpy(const std::string& path, const LoadOptions& options);

}  // namespace ddpm
