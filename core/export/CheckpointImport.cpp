#include "export/CheckpointImport.h"

#include <map>
#include <set>
#include <stdexcept>

#include <torch/optim/adamw.h>

#include "export/Safetensors.h"
#include "random/Generators.h"
#include "training/Checkpoint.h"
#include "training/Ema.h"
#include "util/DisplayPath.h"
#include "util/KeyValueText.h"

namespace ddpm {

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
    auto model = makeBlankDenoiser(config.model);
    std::set<std::string> used;
    {
        torch::NoGradGuard noGrad;
        auto copyInto = [&](const std::string& name, torch::Tensor& target) {
            const auto it = byName.find(name);
            if (it == byName.end()) throw fail("tensor '" + name + "' is missing (model: " + config.model.describe() + ")");
            const at::Tensor& source = it->second->tensor;
            if (source.sizes() != target.sizes())
                throw fail("tensor '" + name + "' has shape " + c10::str(source.sizes()) + ", the model needs " +
                           c10::str(target.sizes()));
            if (!source.is_floating_point() && target.is_floating_point())
                throw fail("tensor '" + name + "' is " + safetensorsDtype(source.scalar_type()) + ", not a float type");
            target.copy_(source);
            used.insert(name);
        };
        for (auto& p : model->named_parameters()) copyInto(p.key(), p.value());
        for (auto& b : model->named_buffers()) copyInto(b.key(), b.value());
    }
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
    saveCheckpoint(checkpointPath, config, *model, *ema, optimizer, progress, 0, random);
    return {config.model.describe(), progress.step, int64_t(file.tensors.size())};
}

}  // namespace ddpm
