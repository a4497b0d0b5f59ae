#include "training/Checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <torch/serialize/output-archive.h>

#include "models/ModuleState.h"
#include "random/Generators.h"
#include "util/ArchiveFile.h"
#include "util/DisplayPath.h"

namespace ddpm {

namespace {
constexpr const char* kFormat = "ddpm-studio-checkpoint 1";

// The archive behind `path`, checked to be a DDPM Studio checkpoint.
torch::serialize::InputArchive openCheckpoint(const std::string& path, const std::string& shown) {
    torch::serialize::InputArchive root;
    try {
        root = readArchive(path, "checkpoint");
    } catch (const std::exception& e) {
        throw CheckpointError(shown, e.what());
    }
    c10::IValue format;
    if (!root.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw CheckpointError(shown, "not a DDPM Studio checkpoint (no '" + std::string(kFormat) + "' marker)");
    return root;
}

// Step, training time and horizon; the loss scale goes to *lossScale when asked for.
TrainingProgress readProgress(torch::serialize::InputArchive& root, const std::string& shown,
                              double* lossScale = nullptr) {
    torch::Tensor step, horizonSteps, seconds;
    try {
        root.read("step", step);
        root.read("horizon_steps", horizonSteps);
        root.read("progress_seconds", seconds);
    } catch (const std::exception&) {
        throw CheckpointError(shown, "the training progress (step or time) is missing or damaged");
    }
    if (step.numel() != 1 || horizonSteps.numel() != 1 || seconds.numel() != 3 || step.scalar_type() != torch::kInt64 ||
        horizonSteps.scalar_type() != torch::kInt64 || seconds.scalar_type() != torch::kFloat64)
        throw CheckpointError(shown, "the training progress (step or time) has the wrong shape");
    TrainingProgress progress;
    progress.step = step.item<int64_t>();
    progress.horizonSteps = horizonSteps.item<int64_t>();
    progress.trainedSeconds = seconds[0].item<double>();
    progress.horizonSeconds = seconds[1].item<double>();
    if (lossScale) *lossScale = seconds[2].item<double>();
    return progress;
}

}  // namespace

void saveCheckpoint(const std::string& path, const RunConfig& config, Denoiser& model, Denoiser& ema,
                    torch::optim::Optimizer& optimizer, const TrainingProgress& progress, double lossScale,
                    const RunRandomState& random) {
    torch::serialize::OutputArchive root, modelArchive, emaArchive, optimizerArchive;
    model.save(modelArchive);
    ema.save(emaArchive);
    optimizer.save(optimizerArchive);
    root.write("format", c10::IValue(std::string(kFormat)));
    root.write("config", c10::IValue(config.serialize()));
    root.write("model", modelArchive);
    root.write("ema", emaArchive);
    root.write("optimizer", optimizerArchive);
    root.write("step", torch::tensor({progress.step}, torch::kInt64));
    root.write("horizon_steps", torch::tensor({progress.horizonSteps}, torch::kInt64));
    root.write("progress_seconds", torch::tensor({progress.trainedSeconds, progress.horizonSeconds, lossScale},
                                                 torch::kFloat64));
    // LibTorch's reader does not check the archive's own CRCs, and takes a record
    // of the wrong size without complaint: the weights carry their own sum.
    root.write("weights_crc32", moduleStateChecksums({&model, &ema}));
    root.write("rng_noise", random.noise);
    if (random.dataOrder.defined()) root.write("rng_data_order", random.dataOrder);   // older runs have none
    writeArchiveAtomically(path, root);
}

TrainingProgress readCheckpointProgress(const std::string& path) {
    const std::string shown = displayPath(path);
    auto root = openCheckpoint(path, shown);
    return readProgress(root, shown);
}

CheckpointContents loadCheckpoint(const std::string& path, torch::Device device) {
    const std::string shown = displayPath(path);
    auto root = openCheckpoint(path, shown);
    c10::IValue configText;
    if (!root.try_read("config", configText) || !configText.isString())
        throw CheckpointError(shown, "the checkpoint holds no run configuration");

    CheckpointContents c;
    try {
        c.config = RunConfig::deserialize(configText.toStringRef());
    } catch (const std::exception& e) {
        throw CheckpointError(shown, std::string("bad run configuration: ") + e.what());
    }
    torch::Tensor checksums;   // absent in checkpoints from before they carried one
    root.try_read("weights_crc32", checksums);
    auto loadModule = [&](const char* key, int index) {
        auto module = makeBlankDenoiser(c.config.model);
        torch::serialize::InputArchive archive;
        try {
            root.read(key, archive);
            loadModuleState(*module, archive);
        } catch (const std::exception& e) {
            std::string what = e.what();
            what = what.substr(0, what.find('\n'));
            throw CheckpointError(shown, std::string("the ") + key + " weights do not match the configured model (" +
                                             c.config.model.describe() + "): " + what);
        }
        if (!matchesStoredChecksum(*module, checksums, index, 2))
            throw CheckpointError(shown, std::string("the ") + key +
                                             " weights fail their checksum: the file was damaged after it was written");
        module->to(device);
        return module;
    };
    c.model = loadModule("model", 0);
    c.ema = loadModule("ema", 1);
    c.ema->eval();
    c.progress = readProgress(root, shown, &c.lossScale);
    try {
        // Checkpoints from before the run owned its generators kept the process-wide
        // one's state as "rng_state": it continues as the noise stream.
        if (!root.try_read("rng_noise", c.random.noise)) root.read("rng_state", c.random.noise);
        root.try_read("rng_data_order", c.random.dataOrder);
        c.optimizerState = std::make_shared<torch::serialize::InputArchive>();
        root.read("optimizer", *c.optimizerState);
    } catch (const std::exception&) {
        throw CheckpointError(shown, "the training state (RNG or optimizer) is missing or damaged");
    }
    const torch::Tensor generatorShape = generatorState(makeGenerator(0));
    for (const torch::Tensor& state : {c.random.noise, c.random.dataOrder})
        if (state.defined() && (state.sizes() != generatorShape.sizes() || state.scalar_type() != generatorShape.scalar_type()))
            throw CheckpointError(shown, "a random generator's saved state has the wrong size");
    return c;
}

bool looksLikeCheckpoint(const std::string& path) {
    const std::filesystem::path p(path);
    if (p.extension() == ".ckpt") return true;
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {};
    in.read(magic, 4);
    return in && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

}  // namespace ddpm
