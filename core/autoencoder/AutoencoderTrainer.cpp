#include "autoencoder/AutoencoderTrainer.h"

#include <cmath>
#include <limits>

#include <torch/nn/utils/clip_grad.h>

#include "image/ImageGrid.h"
#include "image/ImageTensors.h"
#include "random/Generators.h"
#include "training/RunFolder.h"
#include "training/Trainer.h"
#include "util/Cancelled.h"

namespace ddpm {

namespace {
constexpr int64_t kMeasureBatch = 128;
constexpr int64_t kScaleImages = 2048, kPsnrImages = 1024;
constexpr int64_t kPreviewPairs = 8, kSavedPairs = 32, kGridColumns = 8;
}  // namespace

namespace {
// Peak-to-peak 2 in [-1,1] units.
double psnrOfMeanSquaredError(double mse) { return 10.0 * std::log10(4.0 / std::max(mse, 1e-12)); }
}  // namespace

double psnr(const torch::Tensor& reconstruction, const torch::Tensor& original) {
    return psnrOfMeanSquaredError((reconstruction.clamp(-1.0, 1.0) - original).pow(2).mean().item<double>());
}

AutoencoderTrainer::AutoencoderTrainer(const AutoencoderTrainingConfig& config, const Dataset& dataset,
                                       torch::Device device)
    : config_(config), device_(device) {
    config_.validate();
    config_.dataIdentity = dataset.identity();
    at::Generator init = makeGenerator(config_.seed, RandomStream::WeightInit);
    autoencoder_.model = makeAutoencoder(config_.model, init);
    autoencoder_.model->to(device_);
    createOptimizer();
    noise_ = makeGenerator(config_.seed, RandomStream::Noise);
    prepareData(dataset, makeGenerator(config_.seed, RandomStream::DataOrder));
}

AutoencoderTrainer::AutoencoderTrainer(AutoencoderCheckpoint c, const Dataset& dataset, torch::Device device)
    : config_(c.config), device_(device), autoencoder_(c.autoencoder), progress_(c.progress) {
    autoencoder_.model->to(device_);
    autoencoder_.model->train();
    createOptimizer();
    optimizer_->load(*c.optimizerState);
    noise_ = makeGenerator(config_.seed, RandomStream::Noise);
    prepareData(dataset, makeGenerator(config_.seed, RandomStream::DataOrder));
    try {
        setGeneratorState(noise_, c.random.noise);
        if (c.random.dataOrder.defined()) batches_->setState(c.random.dataOrder);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("the checkpoint's generator state is damaged: ") + e.what());
    }
}

AutoencoderTrainer::~AutoencoderTrainer() = default;

void AutoencoderTrainer::createOptimizer() {
    optimizer_ = std::make_unique<torch::optim::AdamW>(autoencoder_.model->parameters(),
                                                       torch::optim::AdamWOptions(config_.learningRate).weight_decay(0));
}

void AutoencoderTrainer::prepareData(const Dataset& d, at::Generator dataOrder) {
    const AutoencoderConfig& m = config_.model;
    if (d.isPoints()) throw std::invalid_argument("an autoencoder needs images; " + d.name + " holds 2-D points");
    if (d.channels != m.inChannels || d.height != m.resolution || d.width != m.resolution)
        throw std::invalid_argument("dataset " + d.identity() + " does not fit the autoencoder (" + m.describe() + ")");
    if (d.trainCount < 1) throw std::invalid_argument("dataset " + d.name + " has no training images");
    train_ = datasetImages(d, 0, d.trainCount).to(device_);
    heldOut_ = d.heldOutCount() > 0 ? datasetImages(d, d.trainCount, d.heldOutCount()).to(device_) : train_;
    batches_ = std::make_unique<BatchSampler>(d.trainCount, config_.batchSize, std::move(dataOrder));
}

void AutoencoderTrainer::setHorizon(int64_t steps, double seconds) {
    progress_.horizonSteps = steps;
    progress_.horizonSeconds = seconds;
}

StepStats AutoencoderTrainer::step() {
    meter_.start();
    Autoencoder& model = autoencoder_.model;
    model->train();
    const auto index = batches_->next().to(device_);                   // (B)
    const auto x = toSignedUnit(train_.index_select(0, index));        // (B,C,R,R) in [-1,1]

    optimizer_->zero_grad();
    const LatentDistribution q = model->encode(x);                      // (B,Z,r,r) each
    const auto reconstruction = model->decode(q.sample(noise_));        // (B,C,R,R)
    const auto l1 = (reconstruction - x).abs().mean();
    const auto kl = q.klPerElement();
    const auto loss = l1 + config_.klWeight * kl;
    loss.backward();
    const double gradNorm = torch::nn::utils::clip_grad_norm_(
        model->parameters(), config_.gradClip > 0 ? config_.gradClip : std::numeric_limits<double>::infinity());
    const double lossValue = loss.item<double>();
    if (!std::isfinite(lossValue)) throw NonFiniteError(progress_.step + 1, "loss");
    if (!std::isfinite(gradNorm)) throw NonFiniteError(progress_.step + 1, "gradients");
    const double lr = scheduledLearningRate(config_.learningRate, config_.warmupSteps, true, progress_.step,
                                            progress_.fraction());
    for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    optimizer_->step();

    StepStats stats = meter_.finish(progress_, x.size(0), lossValue, lr, gradNorm);
    stats.extra = {l1.item<double>(), psnr(reconstruction.detach(), x), kl.item<double>()};
    return stats;
}

torch::Tensor AutoencoderTrainer::reconstruct(const torch::Tensor& x) {
    torch::NoGradGuard noGrad;
    return autoencoder_.model->decode(autoencoder_.model->encode(x).mean).clamp(-1, 1);
}

std::pair<torch::Tensor, torch::Tensor> AutoencoderTrainer::reconstructHeldOut(int64_t n) {
    const auto originals = toSignedUnit(heldOut_.slice(0, 0, std::min(n, heldOut_.size(0))));   // (n,C,R,R)
    return {originals, reconstruct(originals)};
}

torch::Tensor AutoencoderTrainer::preview(const std::function<bool()>& keepGoing) {
    if (keepGoing && !keepGoing()) throw Cancelled();
    const auto [originals, reconstructions] = reconstructHeldOut(kPreviewPairs);
    return torch::cat({originals, reconstructions}).cpu();   // (2n,C,R,R)
}

void AutoencoderTrainer::writeSaveImage(const RunFolder& folder, bool end) {
    const auto [originals, reconstructions] = reconstructHeldOut(kSavedPairs);
    // Rows of 8 originals, each followed by the row of their reconstructions.
    std::vector<torch::Tensor> rows;
    for (int64_t begin = 0; begin < originals.size(0); begin += kGridColumns) {
        const int64_t n = std::min(kGridColumns, originals.size(0) - begin);
        rows.push_back(originals.slice(0, begin, begin + n));
        rows.push_back(reconstructions.slice(0, begin, begin + n));
    }
    const int columns = int(std::min(kGridColumns, originals.size(0)));
    writePng(folder.reconstructions(progress_.step, end), makeGrid(torch::cat(rows).cpu(), columns),
             {{"ddpm:train_step", std::to_string(progress_.step)},
              {"ddpm:content", "held-out images (odd rows) above their reconstructions (even rows)"}});
}

double AutoencoderTrainer::measureLatentScale() {
    torch::NoGradGuard noGrad;
    const int64_t n = std::min(kScaleImages, train_.size(0));
    double sum = 0, sumSquares = 0, count = 0;
    for (int64_t begin = 0; begin < n; begin += kMeasureBatch) {
        const auto x = toSignedUnit(train_.slice(0, begin, std::min(n, begin + kMeasureBatch)));
        const auto z = autoencoder_.model->encode(x).mean.to(torch::kDouble);
        sum += z.sum().item<double>();
        sumSquares += z.pow(2).sum().item<double>();
        count += double(z.numel());
    }
    const double mean = sum / count, variance = std::max(sumSquares / count - mean * mean, 1e-12);
    return 1.0 / std::sqrt(variance);
}

double AutoencoderTrainer::measureHeldOutPsnr() {
    torch::NoGradGuard noGrad;
    const int64_t n = std::min(kPsnrImages, heldOut_.size(0));
    double squaredError = 0, count = 0;
    for (int64_t begin = 0; begin < n; begin += kMeasureBatch) {
        const auto x = toSignedUnit(heldOut_.slice(0, begin, std::min(n, begin + kMeasureBatch)));
        squaredError += (reconstruct(x) - x).pow(2).sum().item<double>();
        count += double(x.numel());
    }
    return psnrOfMeanSquaredError(squaredError / count);
}

void AutoencoderTrainer::save(const std::string& path) {
    if (measuredAt_ != progress_.step) {   // a save writes model.ckpt and a snapshot of the same step
        autoencoder_.latentScale = measureLatentScale();
        autoencoder_.heldOutPsnr = measureHeldOutPsnr();
        measuredAt_ = progress_.step;
    }
    saveAutoencoderCheckpoint(path, config_, autoencoder_, *optimizer_, progress_,
                              {generatorState(noise_), batches_->state()});
}

}  // namespace ddpm
