#include "training/StepMemory.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "models/ModelConfig.h"

namespace ddpm {

namespace {

// Bytes kept per element of a stage's output: the block's inputs, norms, activations and
// convolutions saved for the backward pass. Fitted below the measured slopes (docs/reliability.md).
constexpr uint64_t kBytesPerStageElement = 28;
constexpr uint64_t kBytesPerAttentionWeight = 8;

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
    uint64_t bytes = 0;
    for (int level = 0; level < levels; ++level) {
        const uint64_t side = uint64_t(m.resolution) >> level;
        const uint64_t pixels = side * side;
        const uint64_t channels = uint64_t(m.baseChannels) * uint64_t(m.channelMults[size_t(level)]);
        const uint64_t blocks = uint64_t(2 * m.numResBlocks + (ho ? 1 : 0));   // down and up
        const bool middle = level == levels - 1;
        bytes += (blocks + (middle ? (ho ? 2 : 1) : 0)) * channels * pixels * kBytesPerStageElement;
        // Self-attention keeps its (H·W)² weights and their softmax, one head in fp32.
        const bool attends = std::find(m.attentionLevels.begin(), m.attentionLevels.end(), level) != m.attentionLevels.end();
        const uint64_t attentionBlocks = (attends ? blocks : 0) + (middle && ho ? 1 : 0);
        bytes += attentionBlocks * pixels * pixels * kBytesPerAttentionWeight;
    }
    return bytes;
}

uint64_t usableMemoryBytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGE_SIZE);
    uint64_t usable = pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : 0;
    // A container's limit (cgroup v2, then v1) ends the process like a full machine does.
    for (const char* limitFile : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
        std::ifstream in(limitFile);
        unsigned long long limit = 0;
        if (in >> limit && limit > 0 && (usable == 0 || limit < usable)) usable = limit;   // "max" reads as nothing
    }
    return usable;
}

void requireBatchFitsInMemory(const ModelConfig& model, int batch, int processes, int processesHere, uint64_t usableBytes) {
    const uint64_t perImage = std::max<uint64_t>(trainingBytesPerImage(model), 1);
    const uint64_t share = uint64_t(std::max(1, processes));
    const uint64_t here = std::min<uint64_t>(share, uint64_t(std::max(1, processesHere)));
    const uint64_t slice = (uint64_t(std::max(batch, 1)) + share - 1) / share;   // images per process
    const uint64_t needed = perImage * slice * here;
    if (usableBytes == 0 || needed <= usableBytes) return;
    const std::string split = share > 1 ? ", " + std::to_string(slice) + " images on each of " + std::to_string(here) +
                                              " processes on this machine," : "";
    throw std::invalid_argument("train.batch " + std::to_string(batch) + ": a training step of this model" + split +
                                " needs at least " + gigabytes(needed) + " of memory, more than the " +
                                gigabytes(usableBytes) + " this machine may use: choose a batch well below " +
                                std::to_string(usableBytes / (perImage * here) * share) + " (above it, none fits)");
}

}  // namespace ddpm
