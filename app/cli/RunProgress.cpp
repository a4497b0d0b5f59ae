#include "cli/RunProgress.h"

#include <chrono>
#include <cstdio>

#include "cli/CliSupport.h"
#include "training/Trainer.h"
#include "util/Threads.h"

namespace ddpm::cli {

torch::Device startTrainingVerb(const ArgParser& p) {
    if (!p.has("data")) throw UsageError("--data is required");
    if (p.has("steps") && p.has("minutes")) throw UsageError("give --steps or --minutes, not both");
    configureThreads(p.getInt("threads", 0, 1024));
    return selectDevice(p.getChoice("device"));
}

void setHorizonFromOptions(TrainingJob& job, const ArgParser& p, bool resumed) {
    if (resumed && !p.has("steps") && !p.has("minutes")) return;
    if (p.has("minutes")) job.setHorizon(0, 60.0 * p.getDouble("minutes", 0.01, 1e6));
    else job.setHorizon(job.progress().step + p.getInt64("steps", 1, 1ll << 40), 0);
}

double runWithProgress(RunDriver& driver, const ArgParser& p, bool showProgress) {
    RunCadence cadence;
    cadence.saveEverySteps = p.getInt("save-every", 0, 1 << 30);
    driver.setCadence(cadence);
    const std::vector<std::string> extraNames = driver.withJob([](TrainingJob& job) { return job.extraMetricNames(); });
    TrainingControl control;
    auto lastPrint = std::chrono::steady_clock::now();
    RunEvents events;
    events.onStep = [&](const StepStats& s) {
        if (!showProgress) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - lastPrint < std::chrono::milliseconds(500) && s.progress < 1) return;
        lastPrint = now;
        const double eta = s.progress > 0 ? s.elapsedSeconds * (1 - s.progress) / s.progress : 0;
        std::string extra;
        char value[64];
        for (size_t i = 0; i < extraNames.size() && i < s.extra.size(); ++i) {
            std::snprintf(value, sizeof value, "  %s %.4g", extraNames[i].c_str(), s.extra[i]);
            extra += value;
        }
        std::fprintf(stderr, "\rstep %lld  loss %.4f%s  lr %.2e  %.0f img/s  %s elapsed  ETA %s   ",
                     (long long)s.step, s.loss, extra.c_str(), s.learningRate, s.imagesPerSecond,
                     formatDuration(s.elapsedSeconds).c_str(), formatDuration(eta).c_str());
    };
    driver.run(control, events);
    if (showProgress) std::fprintf(stderr, "\n");
    return driver.withJob([](TrainingJob& job) { return job.progress().trainedSeconds; });
}

}  // namespace ddpm::cli
