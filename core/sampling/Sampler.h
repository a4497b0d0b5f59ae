#pragma once
// Reverse diffusion: the DDPM ancestral sampler over all T steps and DDIM over
// N steps, with classifier-free guidance, x̂0 clipping and a frame callback
// for the denoising animation.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "diffusion/NoiseSchedule.h"
#include "diffusion/Parameterization.h"
#include "models/Denoiser.h"
#include "training/RunConfig.h"

namespace ddpm {

enum class SamplerKind { Ddpm, Ddim };
std::string toString(SamplerKind kind);
SamplerKind samplerKindFromString(const std::string& name);   // "ddpm", "ddim"

struct SamplerConfig {
    SamplerKind kind = SamplerKind::Ddim;
    int steps = 50;                   // DDIM; DDPM always walks all T steps
    double eta = 0.0;                 // DDIM noise: 0 deterministic, 1 DDPM-like
    bool quadraticSpacing = false;    // DDIM timesteps spaced quadratically (denser near t = 0)
    bool clipX0 = true;               // clip x̂0 to [-1,1] (images only)
    bool ddpmPosteriorVariance = true;   // DDPM: σ² = β̃_t (true) or β_t
    double guidance = 1.0;            // classifier-free guidance scale w: ε = ε_u + w (ε_c − ε_u)
    int classLabel = -1;              // conditional models: the class; -1 cycles 0,1,2,… over the batch
    int64_t count = 16;
    uint64_t seed = 0;
    int frameEvery = 1;               // call the frame callback every k steps (and at the last)
    Precision precision = defaultPrecision();   // convolutions and products; the rest stays fp32
};

struct SampleFrame {
    int index = 0;          // 0 = the initial noise, then 1 … total
    int total = 0;          // number of denoising steps
    int t = 0;              // the timestep x_t is at (T for the initial noise)
    torch::Tensor xt;       // (B,…) current sample
    torch::Tensor x0;       // (B,…) the model's x̂0 at this step (undefined for the initial frame)
};
// Return false to cancel (sample() then throws Cancelled).
using FrameCallback = std::function<bool(const SampleFrame&)>;

// The timesteps visited, from high to low.
std::vector<int> samplingTimesteps(const SamplerConfig& config, int T);

// Draws config.count samples: (count,C,H,W) in [-1,1] for images or (count,2) for points,
// on the model's device. Runs in inference mode.
torch::Tensor sample(Denoiser& model, const NoiseSchedule& schedule, Objective objective,
                     const SamplerConfig& config, const FrameCallback& onFrame = {});

// The class labels a batch uses (-1 in config cycles over the classes).
torch::Tensor sampleClassLabels(const SamplerConfig& config, int numClasses, torch::Device device);

}  // namespace ddpm
