#pragma once
// Reverse diffusion: the DDPM ancestral sampler over all T steps and DDIM over
// N steps, with classifier-free guidance, x̂0 clipping and a frame callback
// for the denoising animation. How to sample is a SamplingParameters.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "diffusion/NoiseSchedule.h"
#include "diffusion/Parameterization.h"
#include "models/Denoiser.h"
#include "sampling/SamplingParameters.h"

namespace ddpm {

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
std::vector<int> samplingTimesteps(const SamplingParameters& parameters, int T);

// Draws parameters.count samples (count,…) in `space`, the one the model denoises (pixels in
// [-1,1], points, latents), on the model's device, from a generator of its own seeded with
// parameters.seed. Runs in inference mode. onFrame sees every frameEvery-th step and the last.
torch::Tensor sample(Denoiser& model, const NoiseSchedule& schedule, Objective objective, const SampleSpace& space,
                     const SamplingParameters& parameters, const FrameCallback& onFrame = {}, int frameEvery = 1);

// The condition a batch is drawn under: the class asked for, or (classLabel −1) classes
// 0,1,2,… in turn; a text model's prompt; empty for an unconditional model or an empty
// prompt. Throws std::invalid_argument for a prompt to a model without text, a class to a
// text model, or a prompt that is not UTF-8.
Condition samplingCondition(const SamplingParameters& parameters, const Denoiser& model, torch::Device device);
// The negative prompt's condition for a text model's batch; empty when there is none.
Condition negativeCondition(const SamplingParameters& parameters, const Denoiser& model, torch::Device device);

}  // namespace ddpm
