// ddpm sample: draws samples from a checkpoint (EMA weights unless --no-ema).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "autoencoder/LatentCodec.h"
#include "image/SampleFiles.h"
#include "image/ImageGrid.h"
#include "sampling/Sampler.h"
#include "training/Checkpoint.h"
#include "util/AtomicFile.h"
#include "training/Trainer.h"
#include "util/Threads.h"

namespace ddpm::cli {

int runSample(const Args& args) {
    ArgParser p = verbParser("sample");
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o OUT is required");
    configureThreads(p.getInt("threads", 0, 1024));
    const torch::Device device = selectDevice(p.getChoice("device"));
    CheckpointContents ckpt = loadCheckpoint(p.get("CKPT"), device);

    SamplingParameters sc = samplerFromOptions(p, ckpt.config.model.numClasses);
    sc.count = p.getInt("count", 1, int(SamplingLimits::kMaxCount));
    sc.checkpoint = std::filesystem::path(p.get("CKPT")).filename().string();
    sc.weights = p.has("no-ema") ? "raw" : "ema";
    const NoiseSchedule schedule(ckpt.config.schedule, device);
    Denoiser& model = p.has("no-ema") ? *ckpt.model : *ckpt.ema;
    const auto samples = sample(model, schedule, ckpt.config.objective, ckpt.config.data.space, sc, [&](const SampleFrame& f) {
        std::fprintf(stderr, "\rstep %d/%d", f.index, f.total);
        return true;
    });
    std::fprintf(stderr, "\n");

    const SampleSpace& space = ckpt.config.data.space;
    const auto pictures = picturesOf(samples, space, ckpt.autoencoder.get());
    writeSamples(pictures, space.pictureSpace(), p.get("out"), toPngText(sc, ckpt.config.schedule.timesteps));
    if (p.has("each") && !space.isPoints()) {
        ensureFolder(p.get("each"));
        for (int64_t i = 0; i < pictures.size(0); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "%05lld.png", (long long)i);
            writePng((std::filesystem::path(p.get("each")) / name).string(), makeGrid(pictures.slice(0, i, i + 1), 1, 0));
        }
    }
    std::cout << "wrote " << sc.count << " samples to " << p.get("out") << "\n";
    return 0;
}

}  // namespace ddpm::cli
