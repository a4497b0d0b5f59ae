#include "export/CheckpointExport.h"

#include <cstdio>
#include <stdexcept>

#include "autoencoder/AutoencoderFile.h"
#include "core/Version.h"
#include "export/Safetensors.h"
#include "training/Checkpoint.h"
#include "util/KeyValueText.h"

namespace ddpm {

std::string formatExact(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);   // reads back to the same double
    return text;
}

ExportedWeights exportedWeightsFromString(const std::string& name) {
    if (name == "ema") return ExportedWeights::Ema;
    if (name == "model") return ExportedWeights::Model;
    throw std::invalid_argument("unknown weights '" + name + "' (ema or model)");
}

std::string toString(ExportedWeights weights) { return weights == ExportedWeights::Ema ? "ema" : "model"; }

const Denoiser& exportedModel(const CheckpointContents& checkpoint, ExportedWeights weights) {
    return weights == ExportedWeights::Ema ? *checkpoint.ema : *checkpoint.model;
}

std::vector<std::pair<std::string, std::string>> exportMetadata(const CheckpointContents& checkpoint,
                                                                ExportedWeights weights) {
    std::vector<std::pair<std::string, std::string>> metadata = {
        {"format", "pt"},
        {"ddpm.weights", toString(weights)},
        {"ddpm.step", std::to_string(checkpoint.progress.step)},
        {"ddpm.exporter", std::string("ddpm-studio ") + versionString()},
    };
    const KeyValueText config = KeyValueText::parse(checkpoint.config.serialize());
    for (const auto& [key, value] : config.entries()) metadata.emplace_back("run." + key, value);
    if (const TrainedAutoencoder* autoencoder = checkpoint.autoencoder.get()) {
        metadata.emplace_back("ddpm.latent_scale", formatExact(autoencoder->latentScale));
        metadata.emplace_back("ddpm.held_out_psnr", std::to_string(autoencoder->heldOutPsnr));
        KeyValueText autoencoderConfig;
        autoencoder->model->config().write(autoencoderConfig, kAutoencoderPrefix);
        for (const auto& entry : autoencoderConfig.entries()) metadata.push_back(entry);
    }
    return metadata;
}

namespace {
std::vector<NamedTensor> stateDictTensors(const torch::nn::Module& module) {
    std::vector<NamedTensor> tensors;
    for (const auto& p : module.named_parameters(/*recurse=*/true)) tensors.push_back({p.key(), p.value()});
    for (const auto& b : module.named_buffers(/*recurse=*/true)) tensors.push_back({b.key(), b.value()});
    return tensors;
}
}  // namespace

void exportSafetensors(const CheckpointContents& checkpoint, ExportedWeights weights, const std::string& path) {
    auto tensors = stateDictTensors(exportedModel(checkpoint, weights));
    if (checkpoint.autoencoder)
        for (NamedTensor& t : stateDictTensors(*checkpoint.autoencoder->model))
            tensors.push_back({kAutoencoderTensorPrefix + t.name, t.tensor});
    writeSafetensors(path, tensors, exportMetadata(checkpoint, weights));
}

void exportAutoencoderSafetensors(const AutoencoderCheckpoint& checkpoint, const std::string& path) {
    std::vector<std::pair<std::string, std::string>> metadata = {
        {"format", "pt"},
        {"ddpm.kind", "autoencoder"},
        {"ddpm.step", std::to_string(checkpoint.progress.step)},
        {"ddpm.latent_scale", formatExact(checkpoint.autoencoder.latentScale)},
        {"ddpm.held_out_psnr", std::to_string(checkpoint.autoencoder.heldOutPsnr)},
        {"ddpm.exporter", std::string("ddpm-studio ") + versionString()},
    };
    const KeyValueText config = KeyValueText::parse(checkpoint.config.serialize());
    for (const auto& [key, value] : config.entries()) metadata.emplace_back("run." + key, value);
    writeSafetensors(path, stateDictTensors(*checkpoint.autoencoder.model), metadata);
}

}  // namespace ddpm
