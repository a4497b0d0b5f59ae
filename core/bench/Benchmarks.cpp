#include "bench/Benchmarks.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include <ATen/Parallel.h>

#include "data/Dataset.h"
#include "models/MixedPrecision.h"
#include "random/Generators.h"
#include "training/Trainer.h"

namespace ddpm {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

double matmulGflops(torch::ScalarType dtype, int64_t n, int repeats) {
    torch::InferenceMode guard;
    // One independent product per thread, all at once: the ceiling a perfectly
    // parallel workload reaches whether or not the BLAS underneath threads itself.
    const int threads = at::get_num_threads();
    std::vector<torch::Tensor> a, b, c(static_cast<size_t>(threads));
    at::Generator generator = makeGenerator(0);
    for (int i = 0; i < threads; ++i) {
        a.push_back(torch::randn({n, n}, generator).to(dtype));
        b.push_back(torch::randn({n, n}, generator).to(dtype));
    }
    auto productsOnEveryThread = [&] {
        at::parallel_for(0, threads, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) c[size_t(i)] = torch::mm(a[size_t(i)], b[size_t(i)]);
        });
    };
    productsOnEveryThread();   // warm-up: first-call allocation and kernel selection
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        productsOnEveryThread();
        best = std::min(best, secondsSince(start));
    }
    return double(threads) * 2.0 * double(n) * double(n) * double(n) / best / 1e9;
}

double convolutionGflops(torch::ScalarType dtype, int repeats) {
    torch::InferenceMode guard;
    const int64_t batch = 16, channels = 256, side = 32, kernel = 3;
    at::Generator generator = makeGenerator(0);
    const auto x = torch::randn({batch, channels, side, side}, generator).to(dtype);       // (16,256,32,32)
    const auto w = torch::randn({channels, channels, kernel, kernel}, generator).to(dtype);   // (256,256,3,3)
    auto run = [&] { return torch::conv2d(x, w, {}, 1, 1); };
    run();   // warm-up: kernel selection
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        run();
        best = std::min(best, secondsSince(start));
    }
    return 2.0 * double(batch * side * side) * double(channels * channels * kernel * kernel) / best / 1e9;
}

TrainingThroughput measureTraining(const RunConfig& config, const Dataset& data, int warmupSteps, int timedSteps,
                                   std::shared_ptr<TrainedAutoencoder> autoencoder) {
    Trainer trainer(config, data, torch::kCPU, std::move(autoencoder));
    for (int i = 0; i < warmupSteps; ++i) trainer.step();
    const auto start = Clock::now();
    for (int i = 0; i < timedSteps; ++i) trainer.step();
    TrainingThroughput r;
    r.seconds = secondsSince(start);
    r.steps = timedSteps;
    r.imagesPerSecond = double(timedSteps) * config.train.batchSize / r.seconds;

    // Count one forward pass of a batch of the same shape.
    const int64_t B = config.train.batchSize;
    const auto& d = config.data;
    at::Generator generator = makeGenerator(config.train.seed);
    const auto x = torch::randn(d.space.batchShape(B), generator);
    const auto t = torch::randint(config.schedule.timesteps, {B}, generator, torch::TensorOptions().dtype(torch::kInt64));
    const Condition condition = trainer.model().conditioning().fromLabels(torch::zeros({B}, torch::kInt64));
    MultiplyAddCounter counter;
    {
        torch::NoGradGuard noGrad;
        trainer.model().forward(x, t, condition);
    }
    r.forwardMultiplyAddsPerImage = double(counter.count()) / double(B);
    r.gflops = 3.0 * 2.0 * r.forwardMultiplyAddsPerImage * r.imagesPerSecond / 1e9;
    return r;
}

double measureSampling(Denoiser& model, const RunConfig& run, const SamplingParameters& parameters,
                       TrainedAutoencoder* autoencoder) {
    const NoiseSchedule schedule(run.schedule, torch::kCPU);
    const auto start = Clock::now();
    picturesOf(sample(model, schedule, run.objective, run.data.space, parameters), run.data.space, autoencoder);
    return secondsSince(start);
}

}  // namespace ddpm
