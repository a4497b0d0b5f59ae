#pragma once
// How often a run shows and keeps its progress. No torch here: the GUI uses it.
#include <cstdint>

namespace ddpm {

struct RunCadence {
    int64_t previewEvery = 0;      // steps between preview samples (0: none)
    int64_t saveEverySteps = 0;    // steps between saves (0: not by steps)
    double saveEveryMinutes = 0;   // wall-clock minutes between saves (0: not by time)
};

inline constexpr int kPreviewSamplerSteps = 20;   // DDIM steps of the preview samples: a glance, not a result

}  // namespace ddpm
