#include "autoencoder/AutoencoderFile.h"

#include <cmath>

#include "models/ModuleState.h"
#include "training/CheckpointRecords.h"
#include "util/ArchiveFile.h"
#include "util/DisplayPath.h"
#include "util/KeyValueText.h"

namespace ddpm {

namespace {

torch::serialize::InputArchive openAutoencoderFile(const std::string& path, const std::string& shown) {
    torch::serialize::InputArchive root;
    try {
        root = readArchive(path, "autoencoder checkpoint");
    } catch (const std::exception& e) {
        throw CheckpointError(shown, e.what());
    }
    c10::IValue format;
    if (!root.try_read("format", format) || !format.isString())
        throw CheckpointError(shown, "not a DDPM Studio autoencoder (no '" + std::string(kAutoencoderFormat) + "' marker)");
    if (format.toStringRef() != kAutoencoderFormat)
        throw CheckpointError(shown, "not an autoencoder but a '" + format.toStringRef() +
                                         "' file (train one with ddpm train-vae)");
    return root;
}

}  // namespace

void AutoencoderTrainingConfig::validate() const {
    model.validate();
    auto check = [](bool ok, const std::string& what) {
        if (!ok) throw std::invalid_argument(what);
    };
    check(batchSize >= 1 && batchSize <= 4096, "autoencoder: batch size 1 to 4096");
    check(learningRate > 0 && learningRate < 1, "autoencoder: learning rate in (0, 1)");
    check(warmupSteps >= 0, "autoencoder: warm-up steps >= 0");
    check(klWeight >= 0 && klWeight <= 1, "autoencoder: KL weight in [0, 1]");
    check(gradClip >= 0, "autoencoder: gradient clip >= 0");
}

std::string AutoencoderTrainingConfig::serialize() const {
    KeyValueText kv;
    model.write(kv, "autoencoder.");
    kv.set("train.batch_size", batchSize);
    kv.set("train.learning_rate", learningRate);
    kv.set("train.warmup_steps", warmupSteps);
    kv.set("train.kl_weight", klWeight);
    kv.set("train.grad_clip", gradClip);
    kv.set("train.seed", std::to_string(seed));
    kv.set("data.identity", dataIdentity);
    return kv.toString();
}

AutoencoderTrainingConfig AutoencoderTrainingConfig::deserialize(const std::string& text) {
    const KeyValueText kv = KeyValueText::parse(text);
    AutoencoderTrainingConfig c;
    c.model = AutoencoderConfig::read(kv, "autoencoder.");
    c.batchSize = int(kv.getInt("train.batch_size"));
    c.learningRate = kv.getDouble("train.learning_rate");
    c.warmupSteps = int(kv.getInt("train.warmup_steps"));
    c.klWeight = kv.getDouble("train.kl_weight");
    c.gradClip = kv.getDouble("train.grad_clip");
    c.seed = std::stoull(kv.getString("train.seed"));
    c.dataIdentity = kv.getString("data.identity");
    c.validate();
    return c;
}

void writeAutoencoderRecords(torch::serialize::OutputArchive& archive, TrainedAutoencoder& autoencoder) {
    KeyValueText kv;
    autoencoder.model->config().write(kv, "");
    torch::serialize::OutputArchive weights;
    autoencoder.model->save(weights);
    archive.write("config", c10::IValue(kv.toString()));
    archive.write("weights", weights);
    archive.write("weights_crc32", moduleStateChecksums({autoencoder.model.get()}));
    archive.write("latent", torch::tensor({autoencoder.latentScale, autoencoder.heldOutPsnr}, torch::kFloat64));
}

TrainedAutoencoder readAutoencoderRecords(torch::serialize::InputArchive& archive, const std::string& shown) {
    c10::IValue configText;
    if (!archive.try_read("config", configText) || !configText.isString())
        throw CheckpointError(shown, "the autoencoder's configuration is missing");
    AutoencoderConfig config;
    try {
        config = AutoencoderConfig::read(KeyValueText::parse(configText.toStringRef()), "");
    } catch (const std::exception& e) {
        throw CheckpointError(shown, std::string("bad autoencoder configuration: ") + e.what());
    }
    TrainedAutoencoder a;
    a.model = Autoencoder(config);
    torch::Tensor checksums, latent;
    try {
        torch::serialize::InputArchive weights;
        archive.read("weights", weights);
        loadModuleState(*a.model, weights);
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw CheckpointError(shown, "the autoencoder weights do not match its configuration (" + config.describe() +
                                         "): " + what.substr(0, what.find('\n')));
    }
    if (!archive.try_read("weights_crc32", checksums) || !matchesStoredChecksum(*a.model, checksums, 0, 1))
        throw CheckpointError(shown, "the autoencoder weights fail their checksum: the file was damaged after it was written");
    if (!archive.try_read("latent", latent) || latent.numel() != 2 || latent.scalar_type() != torch::kFloat64)
        throw CheckpointError(shown, "the autoencoder's latent scale is missing or damaged");
    a.latentScale = latent[0].item<double>();
    a.heldOutPsnr = latent[1].item<double>();
    if (!std::isfinite(a.latentScale) || a.latentScale <= 0 || a.latentScale > 1e6)
        throw CheckpointError(shown, "the autoencoder's latent scale " + std::to_string(a.latentScale) + " is not usable");
    a.model->eval();
    return a;
}

void saveAutoencoderCheckpoint(const std::string& path, const AutoencoderTrainingConfig& config,
                               TrainedAutoencoder& autoencoder, torch::optim::Optimizer& optimizer,
                               const TrainingProgress& progress, const RunRandomState& random) {
    torch::serialize::OutputArchive root, records, optimizerArchive;
    writeAutoencoderRecords(records, autoencoder);
    optimizer.save(optimizerArchive);
    root.write("format", c10::IValue(std::string(kAutoencoderFormat)));
    root.write("training_config", c10::IValue(config.serialize()));
    root.write("autoencoder", records);
    root.write("optimizer", optimizerArchive);
    writeProgressRecords(root, progress, 0.0);
    writeRandomRecords(root, random);
    writeArchiveAtomically(path, root);
}

AutoencoderCheckpoint loadAutoencoderCheckpoint(const std::string& path, torch::Device device) {
    const std::string shown = displayPath(path);
    auto root = openAutoencoderFile(path, shown);
    AutoencoderCheckpoint c;
    c10::IValue configText;
    if (!root.try_read("training_config", configText) || !configText.isString())
        throw CheckpointError(shown, "the autoencoder's training configuration is missing");
    try {
        c.config = AutoencoderTrainingConfig::deserialize(configText.toStringRef());
    } catch (const std::exception& e) {
        throw CheckpointError(shown, std::string("bad training configuration: ") + e.what());
    }
    torch::serialize::InputArchive records;
    if (!root.try_read("autoencoder", records)) throw CheckpointError(shown, "the autoencoder's records are missing");
    c.autoencoder = readAutoencoderRecords(records, shown);
    c.autoencoder.model->to(device);
    c.progress = readProgressRecords(root, shown);
    c.random = readRandomRecords(root, shown);
    c.optimizerState = readOptimizerRecord(root, shown);
    return c;
}

bool isAutoencoderCheckpoint(const std::string& path) {
    try {
        openAutoencoderFile(path, path);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace ddpm
