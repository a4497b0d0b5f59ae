#include "eval/Evaluation.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

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
constexpr int64_t kReferenceBatch = 500;

void report(const EvalProgressCallback& onProgress, const char* stage, int64_t done, int64_t total) {
    if (onProgress && !onProgress({stage, done, total})) throw Cancelled();
}

}  // namespace

EvalResult evaluateCheckpoint(const std::string& checkpointPath, const Dataset& reference, const EvalConfig& config,
                              const EvalProgressCallback& onProgress) {
    const auto started = std::chrono::steady_clock::now();
    if (reference.isPoints()) throw std::invalid_argument(reference.name + ": FID and KID are for images, not points");
    if (reference.heldOutCount() < 2)
        throw std::invalid_argument(reference.name + ": needs a held-out split of at least 2 images to compare with");
    const torch::Device device = selectDevice(config.device);
    auto checkpoint = loadCheckpoint(checkpointPath, device);
    const RunConfig& run = checkpoint.config;
    if (run.data.points) throw std::invalid_argument(checkpointPath + ": the model draws points, not images");
    auto extractor = openFeatureExtractor(config.features, reference.name, device);

    EvalResult result;
    result.extractor = extractor->description();
    result.step = checkpoint.progress.step;
    result.referenceCount = std::min(kDefaultCount, reference.heldOutCount());
    result.count = config.count > 0 ? config.count : result.referenceCount;
    if (result.count < 2) throw std::invalid_argument("evaluation needs at least 2 samples");
    if (config.batchSize < 1) throw std::invalid_argument("evaluation batch size must be at least 1");

    // Features of the held-out images: (referenceCount, D).
    std::vector<torch::Tensor> referenceFeatures;
    for (int64_t i = 0; i < result.referenceCount; i += kReferenceBatch) {
        const int64_t n = std::min(kReferenceBatch, result.referenceCount - i);
        const auto images = toSignedUnit(datasetImages(reference, reference.trainCount + i, n));   // (n,C,H,W)
        referenceFeatures.push_back(extractor->extract(images).features.cpu());
        report(onProgress, "reference", i + n, result.referenceCount);
    }

    // Samples from the EMA model, batch by batch, each batch its own seed.
    const NoiseSchedule schedule(run.schedule, device);
    const int numClasses = run.model.numClasses;
    std::vector<torch::Tensor> sampleFeatures;
    int64_t confident = 0, matched = 0;
    for (int64_t i = 0, batch = 0; i < result.count; i += config.batchSize, ++batch) {
        SamplerConfig sc = config.sampler;
        sc.count = std::min(config.batchSize, result.count - i);
        sc.seed = config.sampler.seed + uint64_t(batch);
        const auto images = sample(*checkpoint.ema, schedule, run.objective, sc);   // (n,C,H,W) in [-1,1]
        const auto out = extractor->extract(images);
        sampleFeatures.push_back(out.features.cpu());
        if (out.probabilities.defined()) {
            const auto [top, label] = out.probabilities.cpu().max(1);               // (n), (n)
            confident += top.gt(config.confidence).sum().item<int64_t>();
            if (numClasses > 0 && numClasses == extractor->numClasses())
                matched += label.eq(sampleClassLabels(sc, numClasses, torch::kCPU)).sum().item<int64_t>();
        }
        report(onProgress, "sampling", i + sc.count, result.count);
    }

    const auto real = torch::cat(referenceFeatures), fake = torch::cat(sampleFeatures);
    result.fid = frechetDistance(gaussianStats(real), gaussianStats(fake));
    const int64_t subsetSize =
        std::max<int64_t>(2, std::min(config.kidSubsetSize, std::min(real.size(0), fake.size(0)) / 2));
    const auto kid = kernelInceptionDistance(real, fake, config.kidSubsets, subsetSize, config.sampler.seed);
    result.kid = kid.mean;
    result.kidStd = kid.std;
    if (extractor->numClasses() > 0) result.confidentShare = double(confident) / double(result.count);
    if (numClasses > 0 && numClasses == extractor->numClasses())
        result.classMatchShare = double(matched) / double(result.count);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace ddpm
