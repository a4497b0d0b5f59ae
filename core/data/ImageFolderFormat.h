#pragma once
// A folder of images (PNG, JPEG, BMP, WebP, TIFF), read recursively; first-level
// sub-folders name the classes. Every image is resized (shorter side) and
// centre-cropped to the chosen resolution.
#include <string>

#include "data/Dataset.h"
#include "data/DatasetLoader.h"

namespace ddpm {

bool isImageFileName(const std::string& fileName);
Dataset loadImageFolder(const std::string& folder, const LoadOptions& options);

}  // namespace ddpm
