#pragma once
// One entry point for every dataset: a path or a built-in name in, a Dataset
// out, the format detected from the files themselves.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm {

struct LoadOptions {
    int resolution = 64;                      // image folders: 28, 32 or 64 (shorter side, centre crop)
    uint64_t memoryLimitBytes = 8ull << 30;   // refuse inputs that would need more, before allocating
    int threads = 0;                          // image decoding threads; 0 = all cores
    // Called now and then with (done, total); return false to cancel (throws Cancelled).
    std::function<bool(int64_t done, int64_t total)> progress;
};

// Throws DatasetError (file + reason) on bad input and Cancelled on cancel.
Dataset loadDataset(const std::string& pathOrName, const LoadOptions& options = {});

struct BuiltinDataset {
    std::string name;
    std::string description;
    bool available;   // fashion-mnist needs Debian's dataset-fashion-mnist package
};
std::vector<BuiltinDataset> builtinDatasets();

}  // namespace ddpm
