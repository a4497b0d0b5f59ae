// ddpm sample: draws samples from a checkpoint (EMA weights unless --no-ema).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/SampleOutput.h"
#include "image/ImageGrid.h"
#include "sampling/SampleParameters.h"
#include "sampling/Sampler.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/Threads.h"

namespace ddpm::cli {

int runSample(const Args& args) {
    ArgParser p("ddpm sample CKPT -o OUT.png [options]",
                "Sample from a trained model. Images: a PNG grid with the parameters in its text chunks;\n"
                "2-D models: a CSV of points (x,y per line).");
    p.positional("CKPT", "checkpoint written by 'ddpm train'")
        .option("out", "FILE", "output PNG (or CSV for 2-D models)", "", "o")
        .option("count", "N", "number of samples", "64", "n")
        .flag("no-ema", "sample from the raw weights instead of the EMA copy")
        .option("each", "DIR", "also write every sample as DIR/00000.png, ...")
        .option("threads", "N", "CPU threads (0 = all)", "0")
        .option("device", "DEV", "cpu, cuda or auto", "auto");
    addSamplerOptions(p);
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o OUT is required");
    configureThreads(p.getInt("threads", 0, 1024));
    const torch::Device device = selectDevice(p.getChoice("device", {"auto", "cpu", "cuda"}));
    CheckpointContents ckpt = loadCheckpoint(p.get("CKPT"), device);

    SamplerConfig sc = samplerFromOptions(p, ckpt.config.model.numClasses);
    sc.count = p.getInt("count", 1, 100000);
    const NoiseSchedule schedule(ckpt.config.schedule, device);
    Denoiser& model = p.has("no-ema") ? *ckpt.model : *ckpt.ema;
    const auto samples = sample(model, schedule, ckpt.config.objective, sc, [&](const SampleFrame& f) {
        std::fprintf(stderr, "\rstep %d/%d", f.index, f.total);
        return true;
    });
    std::fprintf(stderr, "\n");

    SampleParameters params;
    params.checkpoint = std::filesystem::path(p.get("CKPT")).filename().string();
    params.sampler = toString(sc.kind);
    params.steps = sc.kind == SamplerKind::Ddpm ? ckpt.config.schedule.timesteps : sc.steps;
    params.eta = sc.eta;
    params.count = sc.count;
    params.seed = sc.seed;
    params.guidance = sc.guidance;
    params.classLabel = sc.classLabel;
    params.weights = p.has("no-ema") ? "raw" : "ema";
    writeSamples(samples, ckpt.config.data.points, p.get("out"), toPngText(params));
    if (p.has("each") && !ckpt.config.data.points) {
        ensureFolder(p.get("each"));
        for (int64_t i = 0; i < samples.size(0); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "%05lld.png", (long long)i);
            writePng((std::filesystem::path(p.get("each")) / name).string(), makeGrid(samples.slice(0, i, i + 1), 1, 0));
        }
    }
    std::cout << "wrote " << sc.count << " samples to " << p.get("out") << "\n";
    return 0;
}

}  // namespace ddpm::cli
