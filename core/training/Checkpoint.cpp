#include "training/Checkpoint.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <torch/serialize/output-archive.h>

#include "autoencoder/AutoencoderFile.h"
#include "autoencoder/LatentCodec.h"
#include "models/ModuleState.h"
#include "training/CheckpointRecords.h"
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
    if (root.try_read("format", format) && format.isString() && format.toStringRef() == kAutoencoderFormat)
        throw CheckpointError(shown, "an autoencoder (from ddpm train-vae), not a diffusion model");
    if (!format.isString() || format.toStringRef() != kFormat)
        throw CheckpointError(shown, "not a DDPM Studio checkpoint (no '" + std::string(kFormat) + "' marker)");
    return root;
}

// A latent run's autoencoder, checked to map its pictures to its latents.
std::shared_ptr<TrainedAutoencoder> readLatentAutoencoder(torch::serialize::InputArchive& root, const SampleSpace& space,
                                                          const std::string& shown, torch::Device device) {
    torch::serialize::InputArchive archive;
    if (!root.try_read("autoencoder", archive))
        throw CheckpointError(shown, "a latent diffusion model (" + space.describe() + ") without its autoencoder");
    auto autoencoder = std::make_shared<TrainedAutoencoder>(readAutoencoderRecords(archive, shown));
    const SampleSpace fits = latentSpaceOf(autoencoder->model->config());
    if (fits != space)
        throw CheckpointError(shown, "its autoencoder gives " + fits.describe() + ", the model denoises " + space.describe());
    autoencoder->model->to(device);
    return autoencoder;
}

}  // namespace

void saveCheckpoint(const std::string& path, const RunConfig& config, Denoiser& model, Denoiser& ema,
                    torch::optim::Optimizer& optimizer, const TrainingProgress& progress, double lossScale,
                    const RunRandomState& random, TrainedAutoencoder* autoencoder) {
    if (config.data.space.isLatent() != (autoencoder != nullptr))
        throw std::logic_error("saveCheckpoint: a latent run, and only one, carries its autoencoder");
    torch::serialize::OutputArchive root, modelArchive, emaArchive, optimizerArchive;
    model.save(modelArchive);
    ema.save(emaArchive);
    optimizer.save(optimizerArchive);
    root.write("format", c10::IValue(std::string(kFormat)));
    root.write("config", c10::IValue(config.serialize()));
    root.write("model", modelArchive);
    root.write("ema", emaArchive);
    root.write("optimizer", optimizerArchive);
    writeProgressRecords(root, progress, lossScale);
    // LibTorch's reader does not check the archive's own CRCs, and takes a record
    // of the wrong size without complaint: the weights carry their own sum.
    root.write("weights_crc32", moduleStateChecksums({&model, &ema}));
    writeRandomRecords(root, random);
    if (autoencoder) {
        torch::serialize::OutputArchive autoencoderArchive;
        writeAutoencoderRecords(autoencoderArchive, *autoencoder);
        root.write("autoencoder", autoencoderArchive);
    }
    writeArchiveAtomically(path, root);
}

TrainingProgress readCheckpointProgress(const std::string& path) {
    const std::string shown = displayPath(path);
    auto root = openCheckpoint(path, shown);
    return readProgressRecords(root, shown);
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
    c.progress = readProgressRecords(root, shown, &c.lossScale);
    c.random = readRandomRecords(root, shown);
    c.optimizerState = readOptimizerRecord(root, shown);
    if (c.config.data.space.isLatent()) c.autoencoder = readLatentAutoencoder(root, c.config.data.space, shown, device);
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
