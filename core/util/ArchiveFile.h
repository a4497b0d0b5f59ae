#pragma once
// A LibTorch archive written whole into memory, then to disk atomically.
// LibTorch's own file writer throws from a destructor when a write fails (a full
// disk), which ends the program; from memory, every write error is ours to report.
#include <string>

#include <torch/serialize/output-archive.h>

namespace ddpm {

// Throws std::runtime_error naming the path (and, for a full disk, the folder and the space needed).
void writeArchiveAtomically(const std::string& path, torch::serialize::OutputArchive& archive);

}  // namespace ddpm
