#include "eval/ClassifierTraining.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include "data/Dataset.h"
#include "image/ImageTensors.h"
#include "random/Generators.h"
#include "random/SeededDropout.h"
#include "random/WeightInit.h"
#include "util/Cancelled.h"

namespace ddpm {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kEvalBatch = 500;

// x (B,C,H,W) in [-1,1] -> the same images shifted by whole pixels, up to
// maxShift in x and y, each its own shift; uncovered pixels are background (-1).
torch::Tensor randomShift(const torch::Tensor& x, int maxShift, at::Generator& generator) {
    if (maxShift <= 0) return x;
    const int64_t B = x.size(0), H = x.size(2), W = x.size(3);
    auto shifts = torch::randint(-maxShift, maxShift + 1, {B, 2}, generator,
                                 torch::TensorOptions().dtype(torch::kInt64));   // (B,2) pixels (dx,dy)
    auto padded = torch::constant_pad_nd(x, {maxShift, maxShift, maxShift, maxShift}, -1.0);
    std::vector<torch::Tensor> out;
    out.reserve(B);
    auto s = shifts.accessor<int64_t, 2>();
    for (int64_t i = 0; i < B; ++i) {
        const int64_t x0 = maxShift - s[i][0], y0 = maxShift - s[i][1];
        out.push_back(padded[i].narrow(1, y0, H).narrow(2, x0, W));
    }
    return torch::stack(out);   // (B,C,H,W)
}

}  // namespace

double classifierAccuracy(ClassifierNet& net, const Dataset& d, int64_t begin, int64_t count, torch::Device device) {
    if (count <= 0) return 0;
    torch::InferenceMode guard;
    const bool wasTraining = net->is_training();
    net->eval();
    int64_t right = 0;
    for (int64_t i = 0; i < count; i += kEvalBatch) {
        const int64_t n = std::min(kEvalBatch, count - i);
        auto x = toSignedUnit(datasetImages(d, begin + i, n)).to(device);   // (n,C,H,W) in [-1,1]
        auto y = datasetLabels(d, begin + i, n).to(device);                  // (n)
        right += net->forward(x).argmax(1).eq(y).sum().item<int64_t>();
    }
    net->train(wasTraining);
    return double(right) / double(count);
}

ClassifierRecord trainClassifier(const Dataset& d, const ClassifierTrainConfig& tc, torch::Device device,
                                 const ClassifierProgressCallback& onProgress) {
    if (d.isPoints()) throw std::invalid_argument(d.name + ": a feature classifier needs images, not points");
    if (!d.hasLabels() || d.numClasses() < 2)
        throw std::invalid_argument(d.name + ": a feature classifier needs labels (class sub-folders or label files)");
    if (d.heldOutCount() < 1) throw std::invalid_argument(d.name + ": no held-out split to measure the classifier on");
    if (d.width != d.height) throw std::invalid_argument(d.name + ": images must be square");
    if (tc.epochs < 1 || tc.batchSize < 2 || tc.learningRate <= 0)
        throw std::invalid_argument("classifier training needs epochs >= 1, batch >= 2 and a positive learning rate");

    ClassifierConfig config;
    config.channels = d.channels;
    config.resolution = d.height;
    config.numClasses = d.numClasses();
    config.width = tc.width;
    config.featureDim = tc.featureDim;
    config.classNames = d.classNames;
    config.dataset = d.identity();
    ClassifierRecord record;
    record.net = ClassifierNet(config);
    at::Generator init = makeGenerator(tc.seed, RandomStream::WeightInit);
    at::Generator order = makeGenerator(tc.seed, RandomStream::DataOrder);
    at::Generator noise = makeGenerator(tc.seed, RandomStream::Noise);     // dropout masks
    at::Generator augment = makeGenerator(tc.seed, RandomStream::Augment);
    initializeWeights(*record.net, init);
    useGenerator(*record.net, noise);
    record.net->to(device);
    auto& net = record.net;

    const auto images = datasetImages(d, 0, d.trainCount);   // (N,C,H,W) uint8, CPU
    const auto labels = datasetLabels(d, 0, d.trainCount);   // (N)
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(tc.learningRate));
    const int64_t batches = (d.trainCount + tc.batchSize - 1) / tc.batchSize;
    const int64_t totalSteps = batches * tc.epochs;
    int64_t stepIndex = 0;

    ClassifierProgress progress;
    progress.epochs = tc.epochs;
    progress.batches = batches;
    for (int epoch = 1; epoch <= tc.epochs; ++epoch) {
        net->train();
        progress.epoch = epoch;
        progress.heldOutAccuracy = -1;
        const auto permutation = torch::randperm(d.trainCount, order, torch::TensorOptions().dtype(torch::kInt64));
        double lossSum = 0;
        for (int64_t b = 0; b < batches; ++b, ++stepIndex) {
            const double lr = tc.learningRate * 0.5 * (1.0 + std::cos(kPi * double(stepIndex) / double(totalSteps)));
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
            const auto index = permutation.narrow(0, b * tc.batchSize, std::min<int64_t>(tc.batchSize, d.trainCount - b * tc.batchSize));
            auto x = randomShift(toSignedUnit(images.index_select(0, index)), tc.maxShift, augment).to(device);   // (B,C,H,W)
            auto y = labels.index_select(0, index).to(device);                                          // (B)
            auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            progress.batch = b + 1;
            progress.loss = lossSum / double(b + 1);
            if (onProgress && !onProgress(progress)) throw Cancelled();
        }
        progress.heldOutAccuracy = classifierAccuracy(net, d, d.trainCount, d.heldOutCount(), device);
        if (onProgress && !onProgress(progress)) throw Cancelled();
    }
    net->eval();
    record.heldOutAccuracy = progress.heldOutAccuracy;
    record.heldOutCount = d.heldOutCount();
    return record;
}

}  // namespace ddpm
