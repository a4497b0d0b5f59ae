// ddpm export CKPT --format safetensors -o FILE: a checkpoint's weights for other tools.
#include <iostream>

#include "autoencoder/AutoencoderFile.h"
#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "export/CheckpointExport.h"
#include "training/Checkpoint.h"

namespace ddpm::cli {

int runExport(const Args& args) {
    ArgParser p = verbParser("export");
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o FILE is required");
    p.getChoice("format");
    const ExportedWeights weights = exportedWeightsFromString(p.getChoice("weights"));

    if (isAutoencoderCheckpoint(p.get("CKPT"))) {
        const AutoencoderCheckpoint autoencoder = loadAutoencoderCheckpoint(p.get("CKPT"), torch::kCPU);
        exportAutoencoderSafetensors(autoencoder, p.get("out"));
        std::cout << "wrote " << p.get("out") << " (autoencoder, " << autoencoder.autoencoder.model->parameterCount()
                  << " parameters, step " << autoencoder.progress.step << ")\n";
        return 0;
    }
    const CheckpointContents checkpoint = loadCheckpoint(p.get("CKPT"), torch::kCPU);
    exportSafetensors(checkpoint, weights, p.get("out"));
    std::cout << "wrote " << p.get("out") << " (" << toString(weights) << " weights, "
              << exportedModel(checkpoint, weights).parameterCount()
              << " parameters, step " << checkpoint.progress.step << ")\n";
    return 0;
}

}  // namespace ddpm::cli
