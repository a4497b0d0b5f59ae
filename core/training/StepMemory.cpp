#include "training/StepMemory.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "models/ModelConfig.h"

namespace ddpm {

namespace {

// Bytes kept per element of a stage's output: the block's inputs, norms, activations and
// convolutions saved for the backward pass. Fitted below the measured slopes (docs/reliability.md).
constexpr uint64_t kBytesPerStageElement = 28;

std::string gigabytes(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", double(bytes) / double(1ull << 30));
    return text;
}

}  // namespace

uint64_t trainingBytesPerImage(const ModelConfig& m) {
    if (m.kind == DenoiserKind::Mlp) return uint64_t(m.mlpHidden) * uint64_t(m.mlpBlocks + 2) * kBytesPerStageElement;
    const bool ho = m.layout == UNetLayout::Ho;
    const int levels = int(m.channelMults.size());
    uint64_t elements = 0;
    for (int level = 0; level < levels; ++level) {
        const uint64_t side = uint64_t(m.resolution) >> level;
        const uint64_t pixels = side * side;
        const uint64_t channels = uint64_t(m.baseChannels) * uint64_t(m.channelMults[size_t(level)]);
        uint64_t stages = uint64_t(2 * m.numResBlocks + (ho ? 1 : 0));
        if (level == levels - 1) stages += ho ? 2 : 1;   // the middle
        elements += stages * channels * pixels;
        // Self-attention keeps its (H·W)² weights and their softmax.
        if (std::find(m.attentionLevels.begin(), m.attentionLevels.end(), level) != m.attentionLevels.end())
            elements += stages * 2 * pixels * pixels;
    }
    return elements * kBytesPerStageElement;
}

uint64_t physicalMemoryBytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : 0;
}

void requireBatchFitsInMemory(const ModelConfig& model, int batch, uint64_t physicalBytes) {
    const uint64_t perImage = std::max<uint64_t>(trainingBytesPerImage(model), 1);
    const uint64_t needed = perImage * uint64_t(std::max(batch, 1));
    if (physicalBytes == 0 || needed <= physicalBytes) return;
    throw std::invalid_argument("train.batch " + std::to_string(batch) + ": a training step of this model needs at least " +
                                gigabytes(needed) + " of memory, and this machine has " + gigabytes(physicalBytes) +
                                ": choose a batch well below " + std::to_string(physicalBytes / perImage) +
                                " (above it, no batch fits)");
}

}  // namespace ddpm
