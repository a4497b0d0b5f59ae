#pragma once
// What a training step holds in memory for its backward pass, from the model's shape, so a batch
// that cannot fit is refused before the run starts instead of the system's out-of-memory killer
// ending the process minutes later. The estimate leans low (docs/reliability.md has the
// measurements): a batch it refuses cannot fit; one it accepts may still be too much for a busy machine.
#include <cstdint>

namespace ddpm {

struct ModelConfig;

// Bytes of activations one image (or 2-D point) adds to a training step.
uint64_t trainingBytesPerImage(const ModelConfig& model);

// The machine's physical memory in bytes (0 when unknown).
uint64_t physicalMemoryBytes();

// Throws std::invalid_argument naming train.batch, the memory it needs and the batch above which
// none fits, when batch × trainingBytesPerImage exceeds physicalBytes (nothing when that is 0).
void requireBatchFitsInMemory(const ModelConfig& model, int batch, uint64_t physicalBytes = physicalMemoryBytes());

}  // namespace ddpm
