// Checkpoints: the ZIP container, the CRCs, the run configuration, every tensor's shape.
// Only CheckpointError may come out: a raw LibTorch error is a finding.
#include "FuzzInput.h"
#include "training/Checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        ddpm::loadCheckpoint(ddpm::fuzz::writeInput(data, size, "model.ckpt"), torch::kCPU);
    } catch (const ddpm::CheckpointError&) {
    }
    return 0;
}
