#pragma once
// Scores samples against a dataset's held-out split: features of both from a
// fixed extractor, then FID, KID and, when a classifier is the extractor, how
// confidently it recognises the samples.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sampling/Sampler.h"

namespace ddpm {

struct Dataset;

struct EvalConfig {
    std::string features = "builtin";   // "builtin", *.classifier, or a TorchScript .pt
    int64_t count = 0;                  // samples; 0 = min(10000, held-out size)
    int64_t batchSize = 250;            // samples drawn per sampler call
    SamplingParameters sampler;         // kind, steps, eta, guidance, seed (count is set per batch)
    std::string device = "auto";
    int kidSubsets = 100;
    int64_t kidSubsetSize = 1000;       // capped at half the smaller side, so that subsets differ
    double confidence = 0.9;            // a sample counts as recognised above this class probability
    bool heldOutCaptions = false;       // text models: ask for each held-out image by its own caption
};

struct EvalResult {
    double fid = 0, kid = 0, kidStd = 0;
    int64_t count = 0, referenceCount = 0;
    std::string extractor;              // FeatureExtractor::description()
    double confidentShare = -1;         // classifiers: share of samples with max probability > confidence
    double classMatchShare = -1;        // class-conditional and text models: share put in the class asked for
    std::vector<std::string> classPrompts;   // text models: the prompt that asked for each class
    std::vector<int64_t> classifiedAs;       // classifiers: how many samples fell in each class
    std::vector<int64_t> askedFor, matchedFor;   // conditional: samples asked for each class, and those classified so
    // What the class match would be if samples had nothing to do with what they were asked for:
    // Σ_k (asked for k / n)(classified as k / n).
    double chanceMatchShare = -1;
    // heldOutCaptions: samples asked with captions whose every word the model saw in training, and
    // of those, the ones classified as asked (-1, 0 otherwise).
    int64_t askedWithSeenWords = -1, seenWordsMatched = 0;
    int64_t step = 0;                   // the checkpoint's training step (0 for given images)
    double seconds = 0;                 // wall time of this evaluation (the reference features are the constructor's)
};

struct EvalProgress {
    std::string stage;   // "reference", then "sampling" (a checkpoint) or "samples" (given images)
    int64_t done = 0, total = 0;
};
// Return false to cancel (evaluateCheckpoint then throws Cancelled).
using EvalProgressCallback = std::function<bool(const EvalProgress&)>;

struct CheckpointContents;
class FeatureExtractor;

// Holds one feature extractor and the features of the reference dataset's
// held-out images, computed once, so that many sample sets (a run's
// checkpoints in the Evaluate tab, a checkpoint and the peer's samples) are
// compared with the same reference at the cost of one.
class Evaluator {
public:
    // Opens config.features and extracts the held-out features (progress stage "reference").
    // Throws std::runtime_error or std::invalid_argument with the reason; Cancelled on cancel.
    Evaluator(const Dataset& reference, const EvalConfig& config, const EvalProgressCallback& onProgress = {});
    ~Evaluator();
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    // Draws config.count samples with the checkpoint's EMA model (stage "sampling"). The
    // checkpoint must be loaded on device(). With config.heldOutCaptions, sample i asks for the
    // caption of the i-th held-out image that has one and a class (cycling; count 0: one each,
    // at most 10,000), and that image's class is the one asked for.
    EvalResult evaluate(const CheckpointContents& checkpoint, const EvalProgressCallback& onProgress = {}) const;
    // Scores every image of `samples` (stage "samples"): another program's samples, or a
    // folder written by `ddpm sample --each`. Their geometry must match the reference's.
    EvalResult evaluate(const Dataset& samples, const EvalProgressCallback& onProgress = {}) const;

    torch::Device device() const { return device_; }
    const std::string& extractorDescription() const { return extractorDescription_; }
    int64_t referenceCount() const { return referenceFeatures_.size(0); }

private:
    struct SampleScores;
    EvalResult score(const SampleScores& scores, double seconds) const;

    EvalConfig config_;
    torch::Device device_;
    std::string referenceName_;
    int referenceChannels_ = 0, referenceHeight_ = 0, referenceWidth_ = 0;
    std::unique_ptr<FeatureExtractor> extractor_;
    std::string extractorDescription_;
    torch::Tensor referenceFeatures_;   // (referenceCount, D) on the CPU
    std::vector<std::string> classPrompts_;   // classPrompts() of the reference dataset
    int referenceClasses_ = 0;
    std::vector<std::string> heldOutCaptions_;   // the held-out images with a caption and a class:
    std::vector<int64_t> heldOutClasses_;        // their captions and classes
};

}  // namespace ddpm
