// ddpm import MODEL.safetensors -o OUT.ckpt: the inverse of ddpm export.
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "export/CheckpointImport.h"

namespace ddpm::cli {

int runImport(const Args& args) {
    ArgParser p = verbParser("import");
    p.parse(args);
    if (!p.has("out")) throw UsageError("-o OUT.ckpt is required");
    const ImportSummary summary = importSafetensors(p.get("MODEL"), p.get("out"));
    std::cout << "wrote " << p.get("out") << " (" << summary.description << ", " << summary.tensors
              << " tensors, step " << summary.step << ")\n";
    return 0;
}

}  // namespace ddpm::cli
