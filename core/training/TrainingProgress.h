#pragma once
// How far a run has come against its horizon, and the learning-rate schedule over
// it: shared by every model a run trains (the denoiser, the autoencoder).
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ddpm {

struct TrainingProgress {
    int64_t step = 0;
    double trainedSeconds = 0;
    int64_t horizonSteps = 0;     // > 0: the run ends after this many steps
    double horizonSeconds = 0;    // > 0: … or after this much training time

    // 0 … 1 of the horizon: the larger of the steps' and the time's fractions.
    double fraction() const {
        double f = 0;
        if (horizonSteps > 0) f = std::max(f, double(step) / double(horizonSteps));
        if (horizonSeconds > 0) f = std::max(f, trainedSeconds / horizonSeconds);
        return std::min(f, 1.0);
    }
    bool finished() const {
        return (horizonSteps > 0 && step >= horizonSteps) || (horizonSeconds > 0 && trainedSeconds >= horizonSeconds);
    }
};

// Linear warm-up over warmupSteps, then (cosine) a half cosine down to 5% of the peak at the horizon.
inline double scheduledLearningRate(double peak, int64_t warmupSteps, bool cosine, int64_t step, double fraction) {
    double lr = peak;
    if (warmupSteps > 0) lr *= std::min(1.0, double(step + 1) / double(warmupSteps));
    if (cosine) lr *= 0.05 + 0.95 * 0.5 * (1.0 + std::cos(3.14159265358979323846 * fraction));
    return lr;
}

}  // namespace ddpm
