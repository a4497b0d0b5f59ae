#include "export/CheckpointImport.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <torch/optim/adamw.h>

#include "autoencoder/AutoencoderFile.h"
#include "export/CheckpointExport.h"
#include "export/Safetensors.h"
#include "random/Generators.h"
#include "training/Checkpoint.h"
#include "training/Ema.h"
#include "util/DisplayPath.h"
#include "util/KeyValueText.h"

namespace ddpm {

namespace {

// A latent model's autoencoder, built from the metadata (its weights are copied in after).
template <typename Fail>
TrainedAutoencoder importAutoencoder(const SafetensorsFile& file, const Fail& fail) {
    KeyValueText configText;
    const std::string prefix = kAutoencoderPrefix;
    for (const auto& [key, value] : file.metadata)
        if (key.rfind(prefix, 0) == 0) configText.set(key, value);
    TrainedAutoencoder autoencoder;
    try {
        const AutoencoderConfig config = AutoencoderConfig::read(configText, prefix);
        config.validate();
        at::Generator init = makeGenerator(0, RandomStream::WeightInit);   // overwritten by the file's weights
        autoencoder.model = makeAutoencoder(config, init);
        autoencoder.model->eval();
        autoencoder.latentScale = std::stod(file.metadata.at("ddpm.latent_scale"));
        if (const auto it = file.metadata.find("ddpm.held_out_psnr"); it != file.metadata.end())
            autoencoder.heldOutPsnr = std::stod(it->second);
    } catch (const std::exception& e) {
        throw fail(std::string("a latent model without a readable autoencoder configuration (\"autoencoder.*\", "
                               "\"ddpm.latent_scale\"): ") + e.what());
    }
    if (!(autoencoder.latentScale > 0) || !std::isfinite(autoencoder.latentScale))
        throw fail("ddpm.latent_scale must be a positive number");
    return autoencoder;
}

}  // namespace

ImportSummary importSafetensors(const std::string& safetensorsPath, const std::string& checkpointPath) {
    const std::string shown = displayPath(safetensorsPath);
    const SafetensorsFile file = readSafetensors(safetensorsPath);
    auto fail = [&](const std::string& reason) -> std::runtime_error { return std::runtime_error(shown + ": " + reason); };

    KeyValueText configText;
    for (const auto& [key, value] : file.metadata)
        if (key.rfind("run.", 0) == 0) configText.set(key.substr(4), value);
    if (configText.entries().empty())
        throw fail("no run configuration in its metadata (\"run.*\" keys): only files from 'ddpm export' can be imported");
    RunConfig config;
    try {
        config = RunConfig::deserialize(configText.toString());
    } catch (const std::exception& e) {
        throw fail(std::string("bad run configuration in its metadata: ") + e.what());
    }

    std::map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : file.tensors) byName[t.name] = &t;
    std::set<std::string> used;
    // Every parameter and buffer of `module`, from the tensor named prefix + its name.
    auto copyModule = [&](torch::nn::Module& module, const std::string& prefix, const std::string& what) {
        torch::NoGradGuard noGrad;
        auto copyInto = [&](const std::string& name, torch::Tensor& target) {
            const auto it = byName.find(prefix + name);
            if (it == byName.end()) throw fail("tensor '" + prefix + name + "' is missing (" + what + ")");
            const at::Tensor& source = it->second->tensor;
            if (source.sizes() != target.sizes())
                throw fail("tensor '" + prefix + name + "' has shape " + c10::str(source.sizes()) + ", the model needs " +
                           c10::str(target.sizes()));
            if (!source.is_floating_point() && target.is_floating_point())
                throw fail("tensor '" + prefix + name + "' is " + safetensorsDtype(source.scalar_type()) +
                           ", not a float type");
            target.copy_(source);
            used.insert(prefix + name);
        };
        for (auto& p : module.named_parameters()) copyInto(p.key(), p.value());
        for (auto& b : module.named_buffers()) copyInto(b.key(), b.value());
    };
    auto model = makeBlankDenoiser(config.model);
    copyModule(*model, "", "model: " + config.model.describe());
    std::unique_ptr<TrainedAutoencoder> autoencoder;
    if (config.data.space.isLatent()) autoencoder = std::make_unique<TrainedAutoencoder>(importAutoencoder(file, fail));
    if (autoencoder) copyModule(*autoencoder->model, kAutoencoderTensorPrefix, autoencoder->model->config().describe());
    for (const NamedTensor& t : file.tensors)
        if (!used.count(t.name)) throw fail("tensor '" + t.name + "' belongs to no part of the model");

    TrainingProgress progress;
    if (const auto it = file.metadata.find("ddpm.step"); it != file.metadata.end()) {
        try {
            progress.step = std::max<int64_t>(0, std::stoll(it->second));
        } catch (const std::exception&) {
            throw fail("ddpm.step is not a number: '" + it->second + "'");
        }
    }
    progress.horizonSteps = progress.step;   // finished: `ddpm train --resume` needs --steps or --minutes
    auto ema = makeBlankDenoiser(config.model);
    copyWeights(*model, *ema);
    ema->eval();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(config.train.learningRate)
                                                           .weight_decay(config.train.weightDecay));
    const RunRandomState random{generatorState(makeGenerator(config.train.seed, RandomStream::Noise)),
                                generatorState(makeGenerator(config.train.seed, RandomStream::DataOrder))};
    saveCheckpoint(checkpointPath, config, *model, *ema, optimizer, progress, 0, random, autoencoder.get());
    return {config.model.describe(), progress.step, int64_t(file.tensors.size())};
}

}  // namespace ddpm
