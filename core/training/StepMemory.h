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

// The memory this process may use in bytes: the machine's, or a container's limit when lower (0 when unknown).
uint64_t usableMemoryBytes();

// Throws std::invalid_argument naming train.batch, the memory a step needs and the batch above
// which none fits, when the slices of one batch that the processes on this machine train
// (`processes` in all, `processesHere` of them here, sharing its memory) need more than
// usableBytes (nothing when that is 0).
void requireBatchFitsInMemory(const ModelConfig& model, int batch, int processes = 1, int processesHere = 1,
                              uint64_t usableBytes = usableMemoryBytes());

}  // namespace ddpm
