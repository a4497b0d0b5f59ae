#pragma once
// Scores a checkpoint: draws N samples with its EMA model, extracts features
// of them and of the dataset's held-out split, and reports FID, KID and, when
// a classifier is the extractor, how confidently it recognises the samples.
#include <cstdint>
#include <functional>
#include <string>

#include "sampling/Sampler.h"

namespace ddpm {

struct Dataset;

struct EvalConfig {
    std::string features = "builtin";   // "builtin", *.classifier, or a TorchScript .pt
    int64_t count = 0;                  // samples; 0 = min(10000, held-out size)
    int64_t batchSize = 250;            // samples drawn per sampler call
    SamplerConfig sampler;              // kind, steps, eta, guidance, seed (count is set per batch)
    std::string device = "auto";
    int kidSubsets = 100;
    int64_t kidSubsetSize = 1000;       // capped at half the smaller side, so that subsets differ
    double confidence = 0.9;            // a sample counts as recognised above this class probability
};

struct EvalResult {
    double fid = 0, kid = 0, kidStd = 0;
    int64_t count = 0, referenceCount = 0;
    std::string extractor;              // FeatureExtractor::description()
    double confidentShare = -1;         // classifiers: share of samples with max probability > confidence
    double classMatchShare = -1;        // class-conditional models: share put in the class asked for
    int64_t step = 0;                   // the checkpoint's training step
    double seconds = 0;                 // wall time of the evaluation
};

struct EvalProgress {
    std::string stage;   // "reference", "sampling"
    int64_t done = 0, total = 0;
};
// Return false to cancel (evaluateCheckpoint then throws Cancelled).
using EvalProgressCallback = std::function<bool(const EvalProgress&)>;

// reference: the dataset whose held-out split the samples are compared with.
// Throws CheckpointError, std::runtime_error or std::invalid_argument with the reason.
EvalResult evaluateCheckpoint(const std::string& checkpointPath, const Dataset& reference, const EvalConfig& config,
                              const EvalProgressCallback& onProgress = {});

}  // namespace ddpm
