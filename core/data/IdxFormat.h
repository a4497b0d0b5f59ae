#pragma once
// IDX files (the MNIST format), raw or gzip-compressed.
#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "data/DatasetLoader.h"

namespace ddpm {

struct IdxArray {
    std::vector<int64_t> dims;
    std::vector<uint8_t> data;
};

// Reads an unsigned-byte IDX array, checking the header against the file and
// the memory limit before allocating.
IdxArray readIdx(const std::string& path, uint64_t memoryLimitBytes);

bool isIdxImageFileName(const std::string& fileName);
// "train-images-idx3-ubyte.gz" -> the matching labels file beside it, or "" if none.
std::string findIdxLabelFile(const std::string& imagePath);

// A single *-idx3-ubyte file (with its labels if present), or a folder of them.
Dataset loadIdxFile(const std::string& path, const LoadOptions& options);
Dataset loadIdxFolder(const std::string& folder, const LoadOptions& options);

}  // namespace ddpm
