#pragma once
// A LibTorch archive written whole into memory, then to disk atomically; and
// read back only once its records are known to be intact.
// LibTorch's own file writer throws from a destructor when a write fails (a full
// disk), which ends the program; from memory, every write error is ours to report.
#include <string>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace ddpm {

// Throws std::runtime_error naming the path (and, for a full disk, the folder and the space needed).
void writeArchiveAtomically(const std::string& path, torch::serialize::OutputArchive& archive);

// Reads an archive after checking that it is a regular, non-empty file whose every record
// passes its CRC-32 and whose code holds declarations only (ArchiveCode.h). `kind` names what it should be ("checkpoint"). Throws std::runtime_error
// with the reason; callers name the file.
torch::serialize::InputArchive readArchive(const std::string& path, const std::string& kind);

}  // namespace ddpm
