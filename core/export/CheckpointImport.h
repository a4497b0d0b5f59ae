#pragma once
// The inverse of `ddpm export`: weights from a safetensors file, with the run
// configuration its metadata carries, become a checkpoint. Loading a safetensors
// file runs no code from it, which makes this the safe way to take a model from
// someone else (a checkpoint is a LibTorch archive: data too, but a richer format).
#include <string>

namespace ddpm {

struct ImportSummary {
    std::string description;   // the model, as ModelConfig::describe() says it
    int64_t step = 0;          // the step the weights were exported at
    int64_t tensors = 0;
};

// Reads MODEL.safetensors (as `ddpm export` writes it: "run.*" metadata and the module's tensor
// names) and writes a checkpoint whose raw and EMA weights are the exported ones, with a fresh
// optimizer and the run's generators seeded from its seed. Throws std::runtime_error naming the
// file and the missing, extra or mis-shaped tensor, or the configuration field at fault.
ImportSummary importSafetensors(const std::string& safetensorsPath, const std::string& checkpointPath);

}  // namespace ddpm
