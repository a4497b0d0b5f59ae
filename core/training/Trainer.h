#pragma once
// Trains a denoiser on a dataset: random t per sample, AdamW with warm-up and
// decay, gradient clipping, EMA, mixed precision, condition dropout for
// classifier-free guidance. Runs on the caller's thread, one step at a time
// (RunDriver loops it for the front ends). Every random number comes from the
// run's own generators (weights, data order, noise), seeded from its seed and
// saved with its checkpoints: other threads drawing random numbers meanwhile
// change nothing. A latent run trains on its autoencoder's latents of the
// training set and decodes its samples to pictures.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>

#include <torch/optim/adamw.h>

#include "autoencoder/LatentCodec.h"
#include "conditioning/PromptEncoding.h"
#include "data/Dataset.h"
#include "diffusion/NoiseSchedule.h"
#include "models/Denoiser.h"
#include "sampling/SamplingParameters.h"
#include "training/BatchSampler.h"
#include "training/Checkpoint.h"
#include "training/Ema.h"
#include "training/LossScaler.h"
#include "training/RunConfig.h"
#include "training/TrainingJob.h"

namespace ddpm {

class DistributedGroup;
class GradientAllReduce;
class ShardThreads;

// Loss or gradients became inf/NaN: training stops; nothing is saved.
class NonFiniteError : public std::runtime_error {
public:
    NonFiniteError(int64_t step, const std::string& what)
        : std::runtime_error("non-finite " + what + " at step " + std::to_string(step) +
                             " (lower the learning rate or use fp32); the last checkpoint is intact"),
          step_(step) {}
    int64_t step() const { return step_; }

private:
    int64_t step_;
};

// One step's inputs: x_t (B,C,H,W) or (B,2), t (B), the batch's condition,
// the objective's target shaped like x_t, and the loss weight (B).
struct TrainingBatch {
    torch::Tensor xt, t;
    Condition condition;
    torch::Tensor target, weight;
    TrainingBatch slice(int64_t begin, int64_t end) const;   // samples [begin, end)
};

// Device choice: "cpu", "cuda", or "auto" (CUDA when present).
torch::Device selectDevice(const std::string& name);

class Trainer : public TrainingJob {
public:
    // A fresh run. The dataset must outlive the trainer only during construction. A latent
    // run (config.data.space) needs the autoencoder it was configured for; onEncode reports
    // the encoding of the training set.
    Trainer(const RunConfig& config, const Dataset& dataset, torch::Device device,
            std::shared_ptr<TrainedAutoencoder> autoencoder = nullptr, const EncodeProgress& onEncode = {});
    // Resumes a checkpoint exactly (weights, optimizer, step, generators; its autoencoder).
    Trainer(CheckpointContents checkpoint, const Dataset& dataset, torch::Device device,
            const EncodeProgress& onEncode = {});
    ~Trainer() override;

    // Data parallel over the group's processes, before the first step: every rank draws the
    // whole batch from the run's generators (so the run is the same on any number of
    // processes) and trains on its slice of it; the gradients are averaged over the ranks
    // during backward; the loss and the leader's training clock are agreed at each step, and
    // the weights compared every kWeightCheckEvery steps. Throws DistributedError when the
    // ranks do not train the same run.
    void joinGroup(std::shared_ptr<DistributedGroup> group);
    static constexpr int64_t kWeightCheckEvery = 100;
    // This rank's items of each batch: [begin, end).
    std::pair<int64_t, int64_t> batchSlice() const { return {sliceBegin_, sliceEnd_}; }
    std::vector<std::string> extraMetricNames() const override;
    void requireStepFitsInMemory() const override;   // CPU runs: this process's slice of the batch

    // The horizon for the learning-rate schedule and for run(): steps, seconds, or both (whichever first).
    void setHorizon(int64_t steps, double seconds) override;
    StepStats step() override;   // one optimizer step; throws NonFiniteError
    void save(const std::string& path) override;   // atomic
    // 16 samples (1,000 points) of the EMA model, DDIM with few steps, the same noise each time;
    // pictures (latents decoded).
    torch::Tensor preview(const std::function<bool()>& keepGoing) override;
    // 64 samples (2,000 points), DDIM-50: samples-NNNNNN.png, or samples.png at the end.
    void writeSaveImage(const RunFolder& folder, bool end) override;
    // Samples of the EMA model with the run's precision, in its space (latents stay latents);
    // keepGoing() false throws Cancelled.
    torch::Tensor drawSamples(const SamplingParameters& parameters, const std::function<bool()>& keepGoing);

    Denoiser& model() { return *model_; }
    Denoiser& emaModel() { return ema_->model(); }
    std::shared_ptr<Denoiser> sharedEmaModel() const { return ema_->shared(); }
    const NoiseSchedule& schedule() const { return *schedule_; }
    const RunConfig& config() const { return config_; }
    TrainedAutoencoder* autoencoder() const { return autoencoder_.get(); }   // latent runs; null otherwise
    const TrainingProgress& progress() const override { return progress_; }
    torch::Device device() const { return device_; }
    // Data-parallel shards of each CPU step: on several intra-op threads, each
    // shard runs its part of the batch on a replica of the model (1 = none).
    int shardCount() const;
    double learningRateAt(int64_t step, double progress) const;

private:
    void prepareData(const Dataset& dataset, at::Generator dataOrder, const EncodeProgress& onEncode);
    void createOptimizer();
    void setUpShards();
    // The batch's weighted loss on `model`, times `share` (its part of the whole batch).
    torch::Tensor batchLoss(Denoiser& model, const TrainingBatch& batch, double share) const;
    // Forward and backward of every shard; leaves the summed gradients on model_.
    torch::Tensor shardedBackward(const TrainingBatch& batch);
    torch::ScalarType computeDtype() const;
    // Forward and backward of this rank's slice; the gradients averaged over the group;
    // returns the whole batch's loss.
    double groupBackward(const TrainingBatch& batch);
    double weightChecksum();

    RunConfig config_;
    torch::Device device_;
    std::shared_ptr<Denoiser> model_;
    std::unique_ptr<Ema> ema_;
    std::vector<std::shared_ptr<Denoiser>> replicas_;   // shards 1…n-1; shard 0 is model_
    std::unique_ptr<ShardThreads> shards_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    std::unique_ptr<NoiseSchedule> schedule_;
    at::Generator noise_;                     // t, noise, condition and dropout masks
    std::unique_ptr<BatchSampler> batches_;   // data order, with its own generator
    LossScaler lossScaler_;
    TrainingProgress progress_;
    std::shared_ptr<TrainedAutoencoder> autoencoder_;   // latent runs
    torch::Tensor data_;     // train split as stored (storedItems) or encoded (latent runs), on the device
    torch::Tensor labels_;   // (N) int64 on the device, or undefined
    CaptionConditions captions_;   // text runs: the training captions, each distinct one encoded once, on the device
    StepMeter meter_;
    std::shared_ptr<DistributedGroup> group_;   // data-parallel runs
    std::unique_ptr<GradientAllReduce> allReduce_;
    int64_t sliceBegin_ = 0, sliceEnd_ = 0;
};

}  // namespace ddpm
