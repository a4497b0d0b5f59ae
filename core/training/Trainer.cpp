#include "training/Trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <torch/cuda.h>
#include <zlib.h>
#include <torch/nn/utils/clip_grad.h>

#include "conditioning/PromptEncoding.h"
#include "data/CaptionWords.h"
#include "diffusion/SampleSpaceTensors.h"
#include "distributed/DistributedGroup.h"
#include "distributed/GradientAllReduce.h"
#include "image/ImageTensors.h"
#include "models/MixedPrecision.h"
#include "random/Generators.h"
#include "random/SeededDropout.h"
#include "image/SampleFiles.h"
#include "sampling/Sampler.h"
#include "training/RunCadence.h"
#include "training/RunFolder.h"
#include "training/ShardThreads.h"
#include "training/StepMemory.h"

namespace ddpm {

namespace {
constexpr int64_t kPreviewImages = 16;   // a 4×4 grid
constexpr int64_t kPreviewPoints = 1000;
constexpr int64_t kSavedImages = 64;     // the grid written at each save: DDIM-50, an 8×8 grid
constexpr int64_t kSavedPoints = 2000;

// A CRC-32 of the tensors' bytes: equal on two ranks exactly when their values are, and
// unlike a float sum, the same whatever the thread count.
uint32_t bytesChecksum(const std::vector<torch::Tensor>& tensors) {
    uLong crc = crc32(0, nullptr, 0);
    for (const auto& tensor : tensors) {
        const auto bytes = tensor.detach().contiguous().cpu();
        const auto* data = static_cast<const Bytef*>(bytes.data_ptr());
        for (size_t done = 0, total = size_t(bytes.nbytes()); done < total;) {
            const size_t chunk = std::min<size_t>(total - done, 1u << 30);
            crc = crc32(crc, data + done, uInt(chunk));
            done += chunk;
        }
    }
    return uint32_t(crc);
}

// Clips the gradients as clip_grad_norm_ does, by rank 0's norm of them; returns that norm.
double clipToLeadersNorm(DistributedGroup& group, std::vector<torch::Tensor>& params, double maxNorm) {
    torch::NoGradGuard noGrad;
    // The ranks hold the same averaged gradients, but a norm summed on other thread counts
    // rounds otherwise: every rank clips by rank 0's, as clip_grad_norm_ would.
    double squares = 0;
    for (const auto& p : params)
        if (p.grad().defined()) squares += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
    const double norm = group.sumOverRanks({group.isLeader() ? std::sqrt(squares) : 0.0})[0];
    const double factor = maxNorm / (norm + 1e-6);
    if (factor < 1)
        for (auto& p : params)
            if (p.grad().defined()) p.mutable_grad().mul_(factor);
    return norm;
}
}  // namespace

TrainingBatch TrainingBatch::slice(int64_t begin, int64_t end) const {
    TrainingBatch part;
    part.xt = xt.slice(0, begin, end);
    part.t = t.slice(0, begin, end);
    part.condition = condition.slice(begin, end);
    part.target = target.slice(0, begin, end);
    part.weight = weight.slice(0, begin, end);
    return part;
}

torch::Device selectDevice(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "cuda") {
        if (!torch::cuda::is_available()) throw std::runtime_error("--device cuda: no CUDA device is available");
        return torch::kCUDA;
    }
    if (name == "auto" || name.empty()) return torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
    throw std::invalid_argument("unknown device '" + name + "' (cpu, cuda, auto)");
}

Trainer::Trainer(const RunConfig& config, const Dataset& dataset, torch::Device device,
                 std::shared_ptr<TrainedAutoencoder> autoencoder, const EncodeProgress& onEncode)
    : config_(config), device_(device), autoencoder_(std::move(autoencoder)) {
    config_.validate();
    const uint64_t seed = config_.train.seed;
    at::Generator init = makeGenerator(seed, RandomStream::WeightInit);
    model_ = makeDenoiser(config_.model, init);
    model_->to(device_);
    ema_ = std::make_unique<Ema>(*model_, makeBlankDenoiser(config_.model), config_.train.emaDecay);
    ema_->model().to(device_);
    createOptimizer();
    schedule_ = std::make_unique<NoiseSchedule>(config_.schedule, device_);
    noise_ = makeGenerator(seed, RandomStream::Noise);
    prepareData(dataset, makeGenerator(seed, RandomStream::DataOrder), onEncode);
    setUpShards();
}

Trainer::Trainer(CheckpointContents c, const Dataset& dataset, torch::Device device, const EncodeProgress& onEncode)
    : config_(c.config), device_(device), model_(c.model), progress_(c.progress), autoencoder_(c.autoencoder) {
    model_->to(device_);
    model_->train();
    ema_ = std::make_unique<Ema>(*model_, makeBlankDenoiser(config_.model), config_.train.emaDecay);
    ema_->model().to(device_);
    copyWeights(*c.ema, ema_->model());
    createOptimizer();
    optimizer_->load(*c.optimizerState);
    schedule_ = std::make_unique<NoiseSchedule>(config_.schedule, device_);
    if (c.lossScale > 0) lossScaler_.setScale(c.lossScale);
    const uint64_t seed = config_.train.seed;
    noise_ = makeGenerator(seed, RandomStream::Noise);
    // A checkpoint from before the data order had its own generator: a fresh order for the rest of the run.
    prepareData(dataset, makeGenerator(c.random.dataOrder.defined() ? seed : seed + uint64_t(progress_.step),
                                       RandomStream::DataOrder),
                onEncode);
    try {
        setGeneratorState(noise_, c.random.noise);
        if (c.random.dataOrder.defined()) batches_->setState(c.random.dataOrder);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("the checkpoint's generator state is damaged: ") + e.what());
    }
    setUpShards();
}

Trainer::~Trainer() = default;

void Trainer::joinGroup(std::shared_ptr<DistributedGroup> group) {
    const int64_t B = config_.train.batchSize, W = group->size(), r = group->rank();
    if (B < W)
        throw DistributedError(rankPrefix(group.get()) + "a batch of " + std::to_string(B) + " cannot be split over " +
                               std::to_string(W) + " processes");
    // The ranks must train the same run from the same state: compare what sets it.
    group->checkSameOnEveryRank(double(B), "the batch sizes");
    group->checkSameOnEveryRank(double(data_.size(0)), "the training sets' sizes");
    group->checkSameOnEveryRank(double(progress_.step), "the steps they start from");
    group->checkSameOnEveryRank(weightChecksum(), "the starting weights (other options or checkpoints?)");
    group->checkSameOnEveryRank(double(bytesChecksum({data_})), "the training data");
    // One model per process: the in-process shards would split the slice again.
    replicas_.clear();
    shards_.reset();
    sliceBegin_ = B * r / W;
    sliceEnd_ = B * (r + 1) / W;
    allReduce_ = std::make_unique<GradientAllReduce>(*group, model_->parameters());
    group_ = std::move(group);
    // With dropout, each rank draws its masks for its own slice: from a stream of its own, so
    // that the shared generator stays in step on every rank.
    if (config_.model.dropout > 0)
        useGenerator(*model_, makeGenerator(config_.train.seed + uint64_t(r) * 7919 + uint64_t(progress_.step),
                                            RandomStream::Noise));
}

void Trainer::requireStepFitsInMemory() const {
    if (!device_.is_cpu()) return;
    requireBatchFitsInMemory(config_.model, config_.train.batchSize, group_ ? group_->size() : 1,
                             group_ ? group_->options().localWorldSize : 1);
}

std::vector<std::string> Trainer::extraMetricNames() const {
    if (group_) return {"world_size"};
    return {};
}

double Trainer::weightChecksum() { return double(bytesChecksum(model_->parameters())); }

void Trainer::setUpShards() {
    // Only where the split cannot change the result: dropout would draw its
    // masks from the run's generator in thread order, and fp16 runs on CUDA.
    if (!device_.is_cpu() || config_.model.dropout > 0 || config_.train.precision == Precision::Fp16) return;
    const int threads = at::get_num_threads();
    const int count = cpuShardCount(config_.train.batchSize, threads);
    if (count < 2) return;
    for (int i = 1; i < count; ++i) {
        auto replica = makeBlankDenoiser(config_.model);
        copyWeights(*model_, *replica);
        replicas_.push_back(replica);
    }
    shards_ = std::make_unique<ShardThreads>(count, threads / count);
}

int Trainer::shardCount() const { return shards_ ? shards_->size() : 1; }

void Trainer::createOptimizer() {
    optimizer_ = std::make_unique<torch::optim::AdamW>(
        model_->parameters(),
        torch::optim::AdamWOptions(config_.train.learningRate).weight_decay(config_.train.weightDecay));
}

namespace {

// The training items whose captions do not hold all of `words`: (N') int64 indices.
torch::Tensor itemsWithoutWords(const Dataset& d, const std::vector<std::string>& words) {
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < d.trainCount; ++i) {
        const auto caption = captionWords(d.captions[size_t(i)]);
        const bool holdsAll = std::all_of(words.begin(), words.end(), [&](const std::string& w) {
            return std::find(caption.begin(), caption.end(), w) != caption.end();
        });
        if (!holdsAll) kept.push_back(i);
    }
    return torch::tensor(kept, torch::kInt64);
}

}  // namespace

void Trainer::prepareData(const Dataset& d, at::Generator dataOrder, const EncodeProgress& onEncode) {
    const SampleSpace& space = config_.data.space;
    if (sampleSpaceOf(d) != space.pictureSpace())
        throw std::invalid_argument("dataset " + d.identity() + " does not match the run's data " + config_.data.identity +
                                    " (" + space.describe() + ")");
    if (d.trainCount < 1) throw std::invalid_argument("dataset " + d.name + " has no training items");
    if (space.isLatent()) {
        if (!autoencoder_) throw std::invalid_argument("a latent diffusion run (" + space.describe() + ") needs its autoencoder");
        const SampleSpace encoded = latentSpaceOf(autoencoder_->model->config());
        if (encoded != space)
            throw std::invalid_argument("the autoencoder gives " + encoded.describe() + "; the run denoises " + space.describe());
        autoencoder_->model->to(device_);
        autoencoder_->model->eval();
        data_ = datasetLatents(*autoencoder_, d, d.trainCount, onEncode).to(device_);
    } else {
        if (autoencoder_) throw std::invalid_argument("an autoencoder was given for a run on " + space.describe());
        data_ = storedItems(d, 0, d.trainCount, space).to(device_);
    }
    if (config_.model.numClasses > 0) {
        if (!d.hasLabels() || d.numClasses() != config_.model.numClasses)
            throw std::invalid_argument("a class-conditional run needs a dataset with " +
                                        std::to_string(config_.model.numClasses) + " classes");
        labels_ = datasetLabels(d, 0, d.trainCount).to(device_);
    }
    if (config_.model.text.enabled()) captions_ = captionConditions(config_.model, d, 0, d.trainCount).to(device_);
    if (!config_.data.heldOutWords.empty()) {
        const torch::Tensor kept = itemsWithoutWords(d, config_.data.heldOutWords).to(device_);   // (N') int64
        if (kept.size(0) == 0) throw std::invalid_argument("every training caption holds the held-out words");
        data_ = data_.index_select(0, kept);
        if (!captions_.empty()) captions_ = captions_.keep(kept);
    }
    batches_ = std::make_unique<BatchSampler>(data_.size(0), config_.train.batchSize, std::move(dataOrder));
    useGenerator(*model_, noise_);
}

void Trainer::setHorizon(int64_t steps, double seconds) {
    progress_.horizonSteps = steps;
    progress_.horizonSeconds = seconds;
}

double Trainer::learningRateAt(int64_t step, double fraction) const {
    const auto& t = config_.train;
    return scheduledLearningRate(t.learningRate, t.warmupSteps, t.decay == LrDecay::Cosine, step, fraction);
}

torch::ScalarType Trainer::computeDtype() const {
    switch (config_.train.precision) {
        case Precision::Fp32: return torch::kFloat;
        case Precision::Bf16: return torch::kBFloat16;
        case Precision::Fp16:
            if (!device_.is_cuda()) throw std::invalid_argument("fp16 training needs a CUDA device (use bf16 on CPUs)");
            return torch::kHalf;
    }
    return torch::kFloat;
}

StepStats Trainer::step() {
    meter_.start();
    const auto& tc = config_.train;
    const int64_t B = tc.batchSize;
    model_->train();

    // The run's own CPU generators draw every random number, so a run repeats
    // from its seed on every device and their states fit in the checkpoint.
    const auto index = batches_->next().to(device_);   // (B)
    const auto floatOnCpu = torch::TensorOptions().dtype(torch::kFloat);
    auto t = torch::randint(schedule_->timesteps(), {B}, noise_, torch::TensorOptions().dtype(torch::kInt64));
    const auto x0 = toModelSpace(config_.data.space, data_.index_select(0, index));   // (B,…) the model's space
    const auto noise = torch::randn(x0.sizes(), noise_, floatOnCpu).to(device_);
    Condition condition;
    const Conditioning conditioning = model_->conditioning();
    if (labels_.defined())
        condition = conditioning.dropped(conditioning.fromLabels(labels_.index_select(0, index)), tc.classDropProb, noise_);
    if (!captions_.empty()) {
        condition = conditioning.dropped(captions_.forItems(index), tc.classDropProb, noise_);   // (B,L…)
    }
    t = t.to(device_);

    const auto a = NoiseSchedule::perSample(schedule_->sqrtAlphasCumprodTensor(), t, x0.dim());
    const auto s = NoiseSchedule::perSample(schedule_->sqrtOneMinusAlphasCumprodTensor(), t, x0.dim());
    TrainingBatch batch;
    batch.xt = a * x0 + s * noise;
    batch.t = t;
    batch.condition = condition;
    batch.target = trainingTarget(config_.objective, x0, noise, a, s);
    batch.weight = lossWeight(config_.objective, config_.weighting, schedule_->snrTensor().index_select(0, t),
                              config_.minSnrGamma);

    optimizer_->zero_grad();
    const bool fp16 = config_.train.precision == Precision::Fp16;
    double lossValue;
    if (group_) {
        lossValue = groupBackward(batch);
    } else if (shards_) {
        lossValue = shardedBackward(batch).item<double>();
    } else {
        const torch::Tensor loss = batchLoss(*model_, batch, 1.0);
        (fp16 ? lossScaler_.scale(loss) : loss).backward();
        lossValue = loss.item<double>();
    }
    auto params = model_->parameters();
    if (fp16) lossScaler_.unscale(params);
    const double maxNorm = tc.gradClip > 0 ? tc.gradClip : std::numeric_limits<double>::infinity();
    const double gradNorm = group_ ? clipToLeadersNorm(*group_, params, maxNorm) : torch::nn::utils::clip_grad_norm_(params, maxNorm);
    const bool finite = std::isfinite(lossValue) && std::isfinite(gradNorm);
    const double lr = learningRateAt(progress_.step, progress_.fraction());
    if (fp16 && !lossScaler_.update(finite)) {
        // Overflow at this scale: skip the step, the scaler already lowered S.
    } else {
        if (!std::isfinite(lossValue)) throw NonFiniteError(progress_.step + 1, "loss");
        if (!std::isfinite(gradNorm)) throw NonFiniteError(progress_.step + 1, "gradients");
        for (auto& group : optimizer_->param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        optimizer_->step();
        for (auto& replica : replicas_) copyWeights(*model_, *replica);
        ema_->update(*model_, progress_.step);
    }
    StepStats stats = meter_.finish(progress_, B, lossValue, lr, gradNorm);
    if (group_) {
        stats.extra = {double(group_->size())};
        if (progress_.step % kWeightCheckEvery == 0)
            group_->checkSameOnEveryRank(weightChecksum(), "the weights after step " + std::to_string(progress_.step));
    }
    return stats;
}

double Trainer::groupBackward(const TrainingBatch& batch) {
    const int64_t B = batch.xt.size(0), W = group_->size();
    allReduce_->prepare();
    // Scaled so that the mean over the ranks of each slice's loss is the whole batch's.
    const torch::Tensor loss = batchLoss(*model_, batch.slice(sliceBegin_, sliceEnd_), double(W * (sliceEnd_ - sliceBegin_)) / double(B));
    (config_.train.precision == Precision::Fp16 ? lossScaler_.scale(loss) : loss).backward();
    allReduce_->finish();
    // The leader's training clock for every rank: a --minutes horizon sets the learning rate by it.
    const auto sums = group_->sumOverRanks({loss.item<double>() / double(W), group_->isLeader() ? progress_.trainedSeconds : 0.0});
    progress_.trainedSeconds = sums[1];
    return sums[0];
}

torch::Tensor Trainer::batchLoss(Denoiser& model, const TrainingBatch& batch, double share) const {
    torch::Tensor output;
    {
        ComputeDtypeGuard precision(computeDtype());
        output = model.forward(batch.xt, batch.t, batch.condition);
    }
    const auto perSample = (output - batch.target).pow(2).flatten(1).mean(1);   // (B)
    return (batch.weight * perSample).mean() * share;
}

torch::Tensor Trainer::shardedBackward(const TrainingBatch& batch) {
    const int count = shards_->size();
    const int64_t B = batch.xt.size(0);
    std::vector<torch::Tensor> losses(static_cast<size_t>(count));
    std::vector<std::function<void()>> tasks;
    for (int i = 0; i < count; ++i) {
        const int64_t begin = B * i / count, end = B * (i + 1) / count;
        Denoiser* model = i == 0 ? model_.get() : replicas_[size_t(i - 1)].get();
        tasks.emplace_back([&, i, begin, end, model] {
            if (model != model_.get()) model->zero_grad();   // model_'s went with the optimizer's
            // Each shard's share of the batch mean, so that the gradients add up to the whole batch's.
            auto loss = batchLoss(*model, batch.slice(begin, end), double(end - begin) / double(B));
            loss.backward();
            losses[size_t(i)] = loss.detach();
        });
    }
    shards_->run(tasks);
    torch::NoGradGuard noGrad;
    auto master = model_->parameters();
    for (auto& replica : replicas_) {
        const auto params = replica->parameters();
        for (size_t j = 0; j < params.size(); ++j) {
            const auto& grad = params[j].grad();
            if (!grad.defined()) continue;
            if (master[j].grad().defined()) master[j].mutable_grad().add_(grad);
            else master[j].mutable_grad() = grad.clone();
        }
    }
    return torch::stack(losses).sum();
}

void Trainer::save(const std::string& path) {
    saveCheckpoint(path, config_, *model_, ema_->model(), *optimizer_, progress_, lossScaler_.currentScale(),
                   {generatorState(noise_), batches_->state()}, autoencoder_.get());
}

torch::Tensor Trainer::drawSamples(const SamplingParameters& parameters, const std::function<bool()>& keepGoing) {
    SamplingParameters p = parameters;
    p.precision = config_.train.precision;
    // Seeded: the same noise each time, so that successive grids show the model change, not the noise.
    return sample(emaModel(), *schedule_, config_.objective, config_.data.space, p,
                  [&keepGoing](const SampleFrame&) { return !keepGoing || keepGoing(); });
}

torch::Tensor Trainer::preview(const std::function<bool()>& keepGoing) {
    SamplingParameters preview;
    preview.steps = kPreviewSamplerSteps;
    preview.count = config_.data.space.isPoints() ? kPreviewPoints : kPreviewImages;
    return picturesOf(drawSamples(preview, keepGoing), config_.data.space, autoencoder_.get());
}

void Trainer::writeSaveImage(const RunFolder& folder, bool end) {
    const SampleSpace& space = config_.data.space;
    SamplingParameters p;
    p.count = space.isPoints() ? kSavedPoints : kSavedImages;
    p.checkpoint = "model.ckpt";
    const auto pictures = picturesOf(drawSamples(p, nullptr), space, autoencoder_.get());
    auto text = toPngText(p, config_.schedule.timesteps);
    text["ddpm:train_step"] = std::to_string(progress_.step);
    writeSamples(pictures, space.pictureSpace(), end ? folder.finalSamples(space) : folder.samples(progress_.step, space),
                 text);
}

}  // namespace ddpm
