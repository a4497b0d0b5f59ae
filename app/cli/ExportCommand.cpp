// ddpm export CKPT --format safetensors -o FILE: a checkpoint's weights for other tools.
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/Commands.h"
#include "export/CheckpointExport.h"
#include "training/Checkpoint.h"

namespace ddpm::cli {

int runExport(const Args& args) {
    ArgParser p("ddpm export CKPT -o FILE [--format safetensors] [--weights ema|model]",
                "Write one set of a checkpoint's weights as a safetensors file: tensor names as in PyTorch's\n"
                "state_dict, in the stored precision, with the run configuration as string metadata\n"
                "(\"run.model.base_channels\", ...). The file is replaced atomically.");
    p.positional("CKPT", "checkpoint written by 'ddpm train'")
        .option("out", "FILE", "output file", "", "o")
        .option("format", "FORMAT", "file format: safetensors", "safetensors")
        .option("weights", "WHICH", "ema (the sampling weights) or model (the raw training weights)", "ema");
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o FILE is required");
    p.getChoice("format", {"safetensors"});
    const ExportedWeights weights = exportedWeightsFromString(p.getChoice("weights", {"ema", "model"}));

    const CheckpointContents checkpoint = loadCheckpoint(p.get("CKPT"), torch::kCPU);
    exportSafetensors(checkpoint, weights, p.get("out"));
    std::cout << "wrote " << p.get("out") << " (" << toString(weights) << " weights, "
              << exportedModel(checkpoint, weights).parameterCount()
              << " parameters, step " << checkpoint.progress.step << ")\n";
    return 0;
}

}  // namespace ddpm::cli
