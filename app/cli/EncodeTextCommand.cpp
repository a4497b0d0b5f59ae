// ddpm encode-text: a text encoder's output for prompts, as .npy (or its token ids).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <torch/torch.h>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "conditioning/ClipTextEncoder.h"
#include "conditioning/PromptEncoding.h"
#include "export/NpyFile.h"
#include "models/UNet.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/DisplayPath.h"
#include "util/Threads.h"

namespace ddpm::cli {

namespace {

void printTokens(const torch::Tensor& ids, const torch::Tensor& mask) {
    for (int64_t n = 0; n < ids.size(0); ++n) {
        for (int64_t i = 0; i < ids.size(1) && mask[n][i].item<bool>(); ++i) std::cout << (i ? " " : "") << ids[n][i].item<int64_t>();
        std::cout << "\n";
    }
}

void writeOut(const std::string& path, const torch::Tensor& out) {
    writeFloatNpy(path, out);
    std::cerr << "wrote " << path << " (";
    for (int64_t d = 0; d < out.dim(); ++d) std::cerr << (d ? ", " : "") << out.size(d);
    std::cerr << ")\n";
}

// A CLIP folder's output as Hugging Face's CLIPTextModel[WithProjection] gives it, for checking the encoder.
int encodeWithClip(const ArgParser& p, const std::vector<std::string>& prompts, const std::string& folder) {
    const auto encoder = ClipTextEncoder::open(folder);
    const int64_t maxContext = encoder->config().context;
    const int64_t context = p.has("text-context") ? p.getInt("text-context", 3, int(maxContext)) : maxContext;
    ModelConfig model;
    model.useClipText(folder, int(encoder->config().width), int(context));
    printPromptNotes(model, prompts);
    const ClipEncoding e = encoder->encode(prompts, context);
    if (p.has("tokens")) printTokens(e.ids, e.mask);
    if (p.has("out")) writeOut(p.get("out"), p.has("pooled") ? e.pooled : e.hidden);
    return 0;
}

}  // namespace

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

    TextConfig named;
    named.encoder = p.get("text");
    if (named.usesClip()) {
        if (named.clipFolder().empty()) throw UsageError("--text clip:FOLDER names no folder");
        return encodeWithClip(p, prompts, named.clipFolder());
    }
    if (p.has("text-context")) throw UsageError("--text-context: a text model's checkpoint has its own context");
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
    if (p.has("tokens") && model.text.usesClip()) {
        // A CLIP run's features are in the condition already; its ids come from the tokenizer.
        const ClipEncoding e = ClipTextEncoder::open(model.text.clipFolder())->encode(prompts, model.text.context, true);
        printTokens(e.ids, e.mask);
    } else if (p.has("tokens")) {
        printTokens(tokens.tokens, tokens.mask);
    }
    if (!p.has("out")) return 0;
    torch::InferenceMode inference;
    const torch::Tensor features = unet->promptFeatures(tokens);   // (N,L,D), zero at padding
    torch::Tensor out = features;
    if (p.has("pooled")) {
        const auto real = tokens.mask.unsqueeze(-1).to(torch::kFloat);   // (N,L,1)
        out = (features * real).sum(1) / real.sum(1);                   // (N,D): the mean over the real tokens
    }
    writeOut(p.get("out"), out);
    return 0;
}

}  // namespace ddpm::cli
