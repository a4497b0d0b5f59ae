#include "eval/Evaluation.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "autoencoder/LatentCodec.h"
#include "conditioning/PromptNotes.h"
#include "data/CaptionWords.h"
#include "data/Dataset.h"
#include "eval/DistributionMetrics.h"
#include "eval/FeatureExtractor.h"
#include "image/ImageTensors.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/Cancelled.h"

namespace ddpm {

namespace {

constexpr int64_t kDefaultCount = 10000;
constexpr int64_t kImageBatch = 500;

void report(const EvalProgressCallback& onProgress, const char* stage, int64_t done, int64_t total) {
    if (onProgress && !onProgress({stage, done, total})) throw Cancelled();
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string geometry(int channels, int height, int width) {
    return std::to_string(height) + "x" + std::to_string(width) + "x" + std::to_string(channels);
}

}  // namespace

// What the sample side gathers before the metrics: features and classifier counts.
struct Evaluator::SampleScores {
    std::vector<torch::Tensor> features;   // (n_i, D) on the CPU
    int64_t count = 0, confident = 0, matched = 0;
    std::vector<int64_t> classifiedAs;     // per class of the classifier
    std::vector<int64_t> askedFor, matchedFor;   // per class asked for (conditional)
    bool conditional = false;              // matched counts
    int64_t step = 0;

    // images (n,C,H,W) in [-1,1]; classes (n) or undefined. Returns which samples were classified
    // as asked, (n) bool, or undefined without classes or a classifier.
    torch::Tensor add(FeatureExtractor& extractor, const torch::Tensor& images, const torch::Tensor& classes,
                      double confidence) {
        const auto out = extractor.extract(images);
        features.push_back(out.features.cpu());
        count += images.size(0);
        if (!out.probabilities.defined()) return {};
        const auto [top, label] = out.probabilities.cpu().max(1);   // (n), (n)
        confident += top.gt(confidence).sum().item<int64_t>();
        const int64_t K = out.probabilities.size(1);
        addCounts(classifiedAs, torch::bincount(label, {}, K));
        if (!classes.defined()) return {};
        const auto asked = classes.cpu();   // (n)
        const auto hit = label.eq(asked);   // (n)
        matched += hit.sum().item<int64_t>();
        addCounts(askedFor, torch::bincount(asked, {}, K));
        addCounts(matchedFor, torch::bincount(asked.masked_select(hit), {}, K));
        return hit;
    }

private:
    // counts (K) int64 added to `into`, which grows to fit.
    static void addCounts(std::vector<int64_t>& into, const torch::Tensor& counts) {
        into.resize(std::max(into.size(), size_t(counts.size(0))), 0);
        for (int64_t k = 0; k < counts.size(0); ++k) into[size_t(k)] += counts[k].item<int64_t>();
    }
};

Evaluator::Evaluator(const Dataset& reference, const EvalConfig& config, const EvalProgressCallback& onProgress)
    : config_(config), device_(selectDevice(config.device)), referenceName_(reference.name) {
    if (reference.isPoints()) throw std::invalid_argument(reference.name + ": FID and KID are for images, not points");
    if (reference.heldOutCount() < 2)
        throw std::invalid_argument(reference.name + ": needs a held-out split of at least 2 images to compare with");
    if (config.batchSize < 1) throw std::invalid_argument("evaluation batch size must be at least 1");
    referenceChannels_ = reference.channels;
    referenceHeight_ = reference.height;
    referenceWidth_ = reference.width;
    extractor_ = openFeatureExtractor(config.features, reference.name, device_);
    extractorDescription_ = extractor_->description();

    const int64_t n = std::min(kDefaultCount, reference.heldOutCount());
    std::vector<torch::Tensor> features;
    for (int64_t i = 0; i < n; i += kImageBatch) {
        const int64_t b = std::min(kImageBatch, n - i);
        const auto images = toSignedUnit(datasetImages(reference, reference.trainCount + i, b));   // (b,C,H,W)
        features.push_back(extractor_->extract(images).features.cpu());
        report(onProgress, "reference", i + b, n);
    }
    referenceFeatures_ = torch::cat(features);
    classPrompts_ = classPrompts(reference);
    referenceClasses_ = reference.numClasses();
    if (reference.labels.size() == size_t(reference.count) && reference.captions.size() == size_t(reference.count))
        for (int64_t i = reference.trainCount; i < reference.count; ++i)
            if (!reference.captions[size_t(i)].empty()) {
                heldOutCaptions_.push_back(reference.captions[size_t(i)]);
                heldOutClasses_.push_back(reference.labels[size_t(i)]);
            }
}

Evaluator::~Evaluator() = default;

EvalResult Evaluator::evaluate(const CheckpointContents& checkpoint, const EvalProgressCallback& onProgress) const {
    const auto started = std::chrono::steady_clock::now();
    const RunConfig& run = checkpoint.config;
    if (run.data.space.isPoints()) throw std::invalid_argument("the model draws points, not images");
    const SampleSpace pictures = run.data.space.pictureSpace();
    if (pictures.channels != referenceChannels_ || pictures.height != referenceHeight_ || pictures.width != referenceWidth_)
        throw std::invalid_argument("the model draws " + geometry(pictures.channels, pictures.height, pictures.width) +
                                    " images, those of " + referenceName_ + " are " +
                                    geometry(referenceChannels_, referenceHeight_, referenceWidth_));
    if (config_.heldOutCaptions) {
        if (!run.model.text.enabled()) throw std::invalid_argument("asking by the held-out captions needs a text model");
        if (heldOutCaptions_.empty())
            throw std::invalid_argument(referenceName_ + ": no held-out image has both a caption and a class to ask for");
        if (extractor_->numClasses() == 0)
            throw std::invalid_argument("asking by the held-out captions needs a classifier as the features, not " +
                                        extractorDescription_);
        if (referenceClasses_ != extractor_->numClasses())
            throw std::invalid_argument(referenceName_ + " has " + std::to_string(referenceClasses_) +
                                        " classes, the features' classifier " + std::to_string(extractor_->numClasses()));
    }
    const int64_t count = config_.count > 0                ? config_.count
                          : config_.heldOutCaptions ? std::min(kDefaultCount, int64_t(heldOutCaptions_.size()))
                                                    : referenceCount();
    if (count < 2) throw std::invalid_argument("evaluation needs at least 2 samples");

    // Samples from the EMA model, batch by batch, each batch its own seed.
    const NoiseSchedule schedule(run.schedule, device_);
    const int numClasses = run.model.numClasses;
    SampleScores scores;
    scores.step = checkpoint.progress.step;
    // A text model without a prompt of the user's is asked for each class by its prompt, where the
    // reference's captions give one per class.
    const bool prompted = run.model.text.enabled() && config_.sampler.prompt.empty() && !classPrompts_.empty() &&
                          int(classPrompts_.size()) == extractor_->numClasses() &&
                          std::none_of(classPrompts_.begin(), classPrompts_.end(), [](const std::string& p) { return p.empty(); });
    scores.conditional = prompted || (numClasses > 0 && numClasses == extractor_->numClasses());
    const auto draw = [&](SamplingParameters sc) {
        return picturesOf(sample(*checkpoint.ema, schedule, run.objective, run.data.space, sc), run.data.space,
                          checkpoint.autoencoder.get());   // (n,C,H,W) in [-1,1]
    };
    if (config_.heldOutCaptions) {
        // One sample per caption (each its own seed), scored a batch at a time. Captions with a
        // word the model never saw are counted apart: it reads those words as one unknown token.
        const int64_t n = int64_t(heldOutCaptions_.size());
        const PromptNotes notes = notePrompts(run.model, heldOutCaptions_);
        std::vector<bool> allSeen(size_t(n), false);
        for (size_t k = 0; k < notes.tokenized.size() && k < allSeen.size(); ++k) allSeen[k] = notes.tokenized[k].unknown.empty();
        int64_t seen = 0, seenMatched = 0;
        for (int64_t i = 0; i < count;) {
            const int64_t b = std::min(config_.batchSize, count - i);
            std::vector<torch::Tensor> pictures;
            std::vector<int64_t> asked;
            for (int64_t j = i; j < i + b; ++j) {
                SamplingParameters sc = config_.sampler;
                sc.count = 1;
                sc.seed = config_.sampler.seed + uint64_t(j);
                sc.prompt = heldOutCaptions_[size_t(j % n)];
                pictures.push_back(draw(sc));
                asked.push_back(heldOutClasses_[size_t(j % n)]);
                report(onProgress, "sampling", j + 1, count);
            }
            const auto hit = scores.add(*extractor_, torch::cat(pictures), torch::tensor(asked, torch::kInt64),
                                        config_.confidence);   // (b) bool
            for (int64_t j = 0; j < b; ++j)
                if (allSeen[size_t((i + j) % n)]) {
                    ++seen;
                    seenMatched += hit[j].item<bool>() ? 1 : 0;
                }
            i += b;
        }
        scores.conditional = true;
        EvalResult result = score(scores, secondsSince(started));
        result.askedWithSeenWords = seen;
        result.seenWordsMatched = seenMatched;
        return result;
    }
    for (int64_t i = 0, batch = 0; i < count; i += config_.batchSize, ++batch) {
        SamplingParameters sc = config_.sampler;
        sc.count = std::min(config_.batchSize, count - i);
        sc.seed = config_.sampler.seed + uint64_t(batch);
        if (prompted) {
            // Classes in turn over the samples, as a class-conditional model's batch: one draw per class.
            const int64_t K = int64_t(classPrompts_.size());
            for (int64_t k = 0; k < K; ++k) {
                SamplingParameters perClass = sc;
                perClass.count = (sc.count - k + K - 1) / K;   // items k, k+K, … of the batch
                if (perClass.count == 0) continue;
                perClass.prompt = classPrompts_[size_t(k)];
                perClass.seed = sc.seed * uint64_t(K) + uint64_t(k);
                scores.add(*extractor_, draw(perClass), torch::full({perClass.count}, k, torch::kInt64), config_.confidence);
            }
        } else {
            const auto classes = scores.conditional ? samplingCondition(sc, *checkpoint.ema, torch::kCPU).classes : torch::Tensor();
            scores.add(*extractor_, draw(sc), classes, config_.confidence);
        }
        report(onProgress, "sampling", i + sc.count, count);
    }
    EvalResult result = score(scores, secondsSince(started));
    if (prompted) result.classPrompts = classPrompts_;
    return result;
}

EvalResult Evaluator::evaluate(const Dataset& samples, const EvalProgressCallback& onProgress) const {
    const auto started = std::chrono::steady_clock::now();
    if (samples.isPoints()) throw std::invalid_argument(samples.name + ": points, not images");
    if (samples.channels != referenceChannels_ || samples.height != referenceHeight_ ||
        samples.width != referenceWidth_)
        throw std::invalid_argument(samples.name + ": its images are " +
                                    geometry(samples.channels, samples.height, samples.width) + ", those of " +
                                    referenceName_ + " are " +
                                    geometry(referenceChannels_, referenceHeight_, referenceWidth_));
    if (samples.count < 2) throw std::invalid_argument(samples.name + ": evaluation needs at least 2 images");
    SampleScores scores;
    for (int64_t i = 0; i < samples.count; i += kImageBatch) {
        const int64_t b = std::min(kImageBatch, samples.count - i);
        scores.add(*extractor_, toSignedUnit(datasetImages(samples, i, b)), torch::Tensor(), config_.confidence);
        report(onProgress, "samples", i + b, samples.count);
    }
    return score(scores, secondsSince(started));
}

EvalResult Evaluator::score(const SampleScores& scores, double seconds) const {
    EvalResult result;
    result.extractor = extractorDescription_;
    result.count = scores.count;
    result.referenceCount = referenceCount();
    result.step = scores.step;
    const auto fake = torch::cat(scores.features);
    result.fid = frechetDistance(gaussianStats(referenceFeatures_), gaussianStats(fake));
    const int64_t subsetSize =
        std::max<int64_t>(2, std::min(config_.kidSubsetSize, std::min(referenceCount(), fake.size(0)) / 2));
    const auto kid = kernelInceptionDistance(referenceFeatures_, fake, config_.kidSubsets, subsetSize, config_.sampler.seed);
    result.kid = kid.mean;
    result.kidStd = kid.std;
    if (extractor_->numClasses() > 0) {
        result.confidentShare = double(scores.confident) / double(scores.count);
        result.classifiedAs = scores.classifiedAs;
    }
    if (scores.conditional) {
        result.classMatchShare = double(scores.matched) / double(scores.count);
        result.askedFor = scores.askedFor;
        result.matchedFor = scores.matchedFor;
        double chance = 0;
        for (size_t k = 0; k < std::min(scores.askedFor.size(), scores.classifiedAs.size()); ++k)
            chance += double(scores.askedFor[k]) * double(scores.classifiedAs[k]);
        result.chanceMatchShare = chance / (double(scores.count) * double(scores.count));
    }
    result.seconds = seconds;
    return result;
}

}  // namespace ddpm
