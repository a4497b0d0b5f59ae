// ddpm encode-text: a text encoder's output for prompts, as .npy (or its token ids).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <torch/torch.h>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "conditioning/PromptEncoding.h"
#include "export/NpyFile.h"
#include "models/UNet.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/DisplayPath.h"
#include "util/Threads.h"

namespace ddpm::cli {

int runEncodeText(const Args& args) {
    ArgParser p = verbParser("encode-text");
    p.parse(args);
    configureThreads(p.getInt("threads", 0, 1024));
    if (p.has("prompt") == p.has("prompts")) throw UsageError("give --prompt TEXT or --prompts FILE (one of them)");
    if (!p.has("tokens") && !p.has("out")) throw UsageError("-o OUT.npy is required (or --tokens)");
    std::vector<std::string> prompts;
    if (p.has("prompt")) prompts.push_back(p.get("prompt"));
    else prompts = promptFileLines(p.get("prompts"));
    for (const std::string& prompt : prompts)
        if (!isValidUtf8(prompt)) throw UsageError("a prompt is not valid UTF-8: '" + escapeNonUtf8(prompt) + "'");

    // The built-in encoder lives in its text model's checkpoint, with the weights the U-Net was trained with.
    const CheckpointContents checkpoint = loadCheckpoint(p.get("text"), torch::kCPU);
    const ModelConfig& model = checkpoint.config.model;
    auto* unet = dynamic_cast<UNetImpl*>(checkpoint.ema.get());
    if (!model.text.enabled() || !unet) throw UsageError("--text: " + p.get("text") + " is not a text model's checkpoint");
    printPromptNotes(model, prompts);
    Condition tokens;
    for (const std::string& prompt : prompts) {
        // The empty prompt is the null condition: its tokens are the model's own.
        EncodedPrompts one = encodePrompts(model, {prompt}, torch::kCPU);
        const Condition c = one.condition.empty() ? unet->conditioning().null(1, torch::kCPU) : one.condition;
        tokens = tokens.empty() ? c : Condition::cat(tokens, c);
    }
    if (p.has("tokens")) {
        for (int64_t n = 0; n < tokens.tokens.size(0); ++n) {
            for (int64_t i = 0; i < tokens.tokens.size(1) && tokens.mask[n][i].item<bool>(); ++i)
                std::cout << (i ? " " : "") << tokens.tokens[n][i].item<int64_t>();
            std::cout << "\n";
        }
        if (!p.has("out")) return 0;
    }
    torch::InferenceMode inference;
    const torch::Tensor features = unet->promptFeatures(tokens);   // (N,L,D), zero at padding
    torch::Tensor out = features;
    if (p.has("pooled")) {
        const auto real = tokens.mask.unsqueeze(-1).to(torch::kFloat);   // (N,L,1)
        out = (features * real).sum(1) / real.sum(1);                   // (N,D): the mean over the real tokens
    }
    writeFloatNpy(p.get("out"), out);
    std::cerr << "wrote " << p.get("out") << " (";
    for (int64_t d = 0; d < out.dim(); ++d) std::cerr << (d ? ", " : "") << out.size(d);
    std::cerr << ")\n";
    return 0;
}

}  // namespace ddpm::cli
