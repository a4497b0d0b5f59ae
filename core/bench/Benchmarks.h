#pragma once
// The measurements behind `ddpm bench`: the machine's matrix-product ceiling,
// training throughput with its achieved GFLOP/s, and sampling time. Each runs
// in the calling process; the CLI runs each in its own process to read its peak memory.
#include <cstdint>
#include <memory>

#include <torch/types.h>

#include "sampling/Sampler.h"
#include "training/RunConfig.h"

namespace ddpm {

struct Dataset;
struct TrainedAutoencoder;

// GFLOP/s of (n,n) x (n,n) products in dtype (2n³ flops each), one per thread at
// once, best of `repeats`: the machine's ceiling at the current thread count.
double matmulGflops(torch::ScalarType dtype, int64_t n, int repeats);
// GFLOP/s of a 3x3 convolution of (16,256,32,32) with (256,256,3,3) in dtype,
// through the convolution library (oneDNN) that the models' layers use: here it
// runs fp32 at several times the speed of the BLAS (OpenBLAS picks its AVX2
// kernel on this AVX-512 CPU), so the ceiling is the faster of the two.
double convolutionGflops(torch::ScalarType dtype, int repeats);

struct TrainingThroughput {
    double imagesPerSecond = 0;
    double forwardMultiplyAddsPerImage = 0;   // conv, linear and attention products of one forward pass
    double gflops = 0;                        // achieved: 3 passes (forward, two backward) x 2 flops per multiply-add
    int64_t steps = 0;
    double seconds = 0;
};

// Times `timedSteps` full training steps (forward, backward, clipping, AdamW, EMA) after `warmupSteps`.
// A latent run (config.data.space) takes its autoencoder; encoding the data is not timed.
TrainingThroughput measureTraining(const RunConfig& config, const Dataset& data, int warmupSteps, int timedSteps,
                                   std::shared_ptr<TrainedAutoencoder> autoencoder = nullptr);

// Wall seconds of one sample() call with a freshly initialised or given model, and for a
// latent model the decoding of its samples to pictures.
double measureSampling(Denoiser& model, const RunConfig& run, const SamplingParameters& parameters,
                       TrainedAutoencoder* autoencoder = nullptr);

}  // namespace ddpm
