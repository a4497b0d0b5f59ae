// ddpm sample: draws samples from a checkpoint (EMA weights unless --no-ema).
#include <cstdio>
#include <filesystem>
#include <fstream>
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
#include "util/DisplayPath.h"
#include "util/Threads.h"

namespace ddpm::cli {

int runSample(const Args& args) {
    ArgParser p = verbParser("sample");
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o OUT is required");
    configureThreads(p.getInt("threads", 0, 1024));
    const torch::Device device = selectDevice(p.getChoice("device"));
    CheckpointContents ckpt = loadCheckpoint(p.get("CKPT"), device);

    SamplingParameters sc = samplerFromOptions(p, ckpt.config.model);
    printPrecisionNote(sc.precision, device);
    sc.count = p.getInt("count", 1, int(SamplingLimits::kMaxCount));
    if (p.has("prompts") && p.has("prompt")) throw UsageError("give --prompt or --prompts, not both");
    if (p.has("prompts") && !ckpt.config.model.text.enabled()) throw UsageError("--prompts: this model was trained without text");
    // One batch per prompt (a grid row each, from the same noise); one batch without --prompts.
    const std::vector<std::string> prompts = p.has("prompts") ? promptFileLines(p.get("prompts")) : std::vector<std::string>{sc.prompt};
    printPromptNotes(ckpt.config.model, prompts);
    if (!sc.negativePrompt.empty()) printPromptNotes(ckpt.config.model, {sc.negativePrompt});
    sc.checkpoint = std::filesystem::path(p.get("CKPT")).filename().string();
    sc.weights = p.has("no-ema") ? "raw" : "ema";
    const NoiseSchedule schedule(ckpt.config.schedule, device);
    Denoiser& model = p.has("no-ema") ? *ckpt.model : *ckpt.ema;
    std::vector<torch::Tensor> rows;
    for (size_t row = 0; row < prompts.size(); ++row) {
        sc.prompt = prompts[row];
        rows.push_back(sample(model, schedule, ckpt.config.objective, ckpt.config.data.space, sc, [&](const SampleFrame& f) {
            if (prompts.size() > 1)
                std::fprintf(stderr, "\rprompt %zu/%zu, step %d/%d", row + 1, prompts.size(), f.index, f.total);
            else
                std::fprintf(stderr, "\rstep %d/%d", f.index, f.total);
            return true;
        }));
    }
    std::fprintf(stderr, "\n");
    const torch::Tensor samples = torch::cat(rows);   // (prompts·count,…)

    const SampleSpace& space = ckpt.config.data.space;
    const auto pictures = picturesOf(samples, space, ckpt.autoencoder.get());
    auto text = toPngText(sc, ckpt.config.schedule.timesteps);
    if (prompts.size() > 1) {
        text.erase("ddpm:prompt");
        std::string lines;
        for (const std::string& prompt : prompts) lines += (lines.empty() ? "" : "\n") + prompt;
        text["ddpm:prompts"] = lines;   // one per row
    }
    writeSamples(pictures, space.pictureSpace(), p.get("out"), text, prompts.size() > 1 ? int(sc.count) : 0);
    if (p.has("each") && !space.isPoints()) {
        ensureFolder(p.get("each"));
        for (int64_t i = 0; i < pictures.size(0); ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "%05lld.png", (long long)i);
            writePng((std::filesystem::path(p.get("each")) / name).string(), makeGrid(pictures.slice(0, i, i + 1), 1, 0));
        }
    }
    std::cout << "wrote " << pictures.size(0) << " samples to " << p.get("out") << "\n";
    return 0;
}

}  // namespace ddpm::cli
