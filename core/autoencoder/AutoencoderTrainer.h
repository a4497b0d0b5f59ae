#pragma once
// Trains an autoencoder on a dataset's images, one step at a time (RunDriver
// loops it): L1 reconstruction of a latent drawn from q(z|x), plus klWeight times
// the KL divergence to N(0,I) per latent element; AdamW with warm-up and cosine
// decay, gradient clipping. Every random number comes from the run's own
// generators, saved with its checkpoints. Each save measures the latent scale on
// the training set and the PSNR on the held-out images.
#include <memory>

#include <torch/optim/adamw.h>

#include "autoencoder/AutoencoderFile.h"
#include "data/Dataset.h"
#include "training/BatchSampler.h"
#include "training/TrainingJob.h"

namespace ddpm {

class AutoencoderTrainer : public TrainingJob {
public:
    AutoencoderTrainer(const AutoencoderTrainingConfig& config, const Dataset& dataset, torch::Device device);
    // Resumes a checkpoint exactly (weights, optimizer, step, generators).
    AutoencoderTrainer(AutoencoderCheckpoint checkpoint, const Dataset& dataset, torch::Device device);
    ~AutoencoderTrainer() override;

    StepStats step() override;   // throws NonFiniteError
    const TrainingProgress& progress() const override { return progress_; }
    void setHorizon(int64_t steps, double seconds) override;
    void save(const std::string& path) override;
    std::vector<std::string> extraMetricNames() const override { return {"l1", "psnr", "kl"}; }
    // 8 held-out images, then their reconstructions: (16,C,H,W) in [-1,1].
    torch::Tensor preview(const std::function<bool()>& keepGoing) override;
    // 32 held-out images above their reconstructions, rows of 8: reconstructions[-NNNNNN].png.
    void writeSaveImage(const RunFolder& folder, bool end) override;

    const AutoencoderTrainingConfig& config() const { return config_; }
    TrainedAutoencoder& autoencoder() { return autoencoder_; }

    // The std of the mean latents over (up to 2,048) training images, inverted: the factor
    // that gives the diffusion model unit-variance data. Deterministic: no latent is drawn.
    double measureLatentScale();
    // PSNR in dB of the held-out images (all of them, up to 1,024) through the mean latents,
    // the decoded images clamped to [-1,1] (peak-to-peak 2).
    double measureHeldOutPsnr();

private:
    void prepareData(const Dataset& dataset, at::Generator dataOrder);
    void createOptimizer();
    // x (B,C,R,R) in [-1,1] through the mean latents, decoded and clamped to [-1,1]; no gradients.
    torch::Tensor reconstruct(const torch::Tensor& x);
    // The first n held-out images (the training ones if none are held out) and their reconstructions.
    std::pair<torch::Tensor, torch::Tensor> reconstructHeldOut(int64_t n);

    AutoencoderTrainingConfig config_;
    torch::Device device_;
    TrainedAutoencoder autoencoder_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    at::Generator noise_;                     // the latents drawn from q(z|x)
    std::unique_ptr<BatchSampler> batches_;   // data order, with its own generator
    TrainingProgress progress_;
    torch::Tensor train_, heldOut_;           // (N,C,H,W) uint8 on the device
    StepMeter meter_;
    int64_t measuredAt_ = -1;                 // the step the scale and PSNR were measured at
};

// PSNR in dB of x̂ against x, both in [-1,1]: 10·log10(2² / MSE).
double psnr(const torch::Tensor& reconstruction, const torch::Tensor& original);

}  // namespace ddpm
