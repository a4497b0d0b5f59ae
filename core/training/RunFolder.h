#pragma once
// The files a training run leaves in its folder, whichever front end drove it
// (ddpm train or the Train tab):
//   model.ckpt                     the newest checkpoint; the app's other tabs follow it
//   checkpoints/step-NNNNNN.ckpt   a snapshot at every save, to score the run over its steps
//   samples-NNNNNN.png             EMA samples at every save (2-D points: .csv)
//   samples.png                    the samples at the end of the run (2-D points: .csv)
//   reconstructions[-NNNNNN].png   an autoencoder's instead: held-out images above their reconstructions
//   metrics.csv                    one row per step (columns: kMetricsHeader, then the job's own)
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/SampleSpace.h"

namespace ddpm {

inline constexpr char kMetricsHeader[] = "step,wall_seconds,loss,lr,grad_norm,images_per_s";

class RunFolder {
public:
    explicit RunFolder(std::string root) : root_(std::move(root)) {}
    const std::string& root() const { return root_; }

    std::string checkpoint() const;                 // model.ckpt
    std::string snapshot(int64_t step) const;       // checkpoints/step-NNNNNN.ckpt
    // samples-NNNNNN.png, or samples.png for the end of the run; .csv for points.
    std::string samples(int64_t step, const SampleSpace& space) const;
    std::string finalSamples(const SampleSpace& space) const;
    // reconstructions-NNNNNN.png, or reconstructions.png for the end of the run.
    std::string reconstructions(int64_t step, bool end) const;
    std::string metrics() const;                    // metrics.csv
    // The snapshots in step order, then model.ckpt if it exists: what the Evaluate tab scores.
    std::vector<std::string> checkpointFiles() const;

private:
    std::string root_;
};

}  // namespace ddpm
