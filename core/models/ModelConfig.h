#pragma once
// Plain description of a denoiser; presets fill it, every knob can be set on its own.
#include <string>
#include <vector>

#include "diffusion/SampleSpace.h"

namespace ddpm {

enum class DenoiserKind { UNet, Mlp };

// Compact: one skip per residual block, nearest-neighbour upsampling, a single
// middle block (the benchmark peer's design). Ho: Ho et al. 2020's layout, with
// skips from the input conv and each downsample, numResBlocks+1 blocks per level
// on the way up, a conv after each upsample and Res-Attention-Res in the middle.
enum class UNetLayout { Compact, Ho };

// A U-Net's text conditioning: the encoder of its prompts and where the image
// features attend to the prompt's tokens.
struct TextConfig {
    std::string encoder;                       // "": no text; "builtin": WordTokenizer + TextTransformer;
                                               // "clip:FOLDER": a frozen CLIP text encoder (ClipTextEncoder)
    std::vector<std::string> words;            // the built-in encoder's vocabulary, ids from WordTokenizer::kFirstWord
    int context = 16;                          // tokens per prompt, start and end included
    int width = 128;                           // the token features' width
    int layers = 2;                            // the built-in encoder's transformer
    int heads = 4;
    // CLIP: width and context are its hidden size and (at most) its positions; words, layers and heads are unused.
    std::vector<int> crossAttentionLevels;     // levels (0 = full resolution) that attend to the prompt; the middle always does
    bool enabled() const { return !encoder.empty(); }
    bool usesClip() const { return encoder.rfind("clip:", 0) == 0; }
    std::string clipFolder() const { return usesClip() ? encoder.substr(5) : std::string(); }
};

struct ModelConfig {
    DenoiserKind kind = DenoiserKind::UNet;
    int inChannels = 1;                       // 1 or 3 (2 for the MLP's points)
    int resolution = 28;                      // 28, 32 or 64
    UNetLayout layout = UNetLayout::Compact;
    int baseChannels = 32;
    std::vector<int> channelMults = {1, 2, 2};
    int numResBlocks = 1;                     // per level
    std::vector<int> attentionLevels = {};    // level indices (0 = full resolution) with self-attention
    int groups = 8;                           // GroupNorm groups
    double dropout = 0.0;
    bool film = false;                        // time embedding as scale-and-shift instead of additive
    int numClasses = 0;                       // > 0: class-conditional, with a learned "null" class
    int mlpHidden = 256;                      // MLP denoiser
    int mlpBlocks = 3;
    TextConfig text;                          // prompts instead of classes (U-Nets)

    // "tiny", "small", "ddpm-cifar", "peer" (U-Nets), "mlp" (2-D toys).
    static ModelConfig preset(const std::string& name, int inChannels, int resolution, int numClasses = 0);
    static std::vector<std::string> presetNames();
    int timeEmbeddingDim() const { return kind == DenoiserKind::Mlp ? mlpHidden : 4 * baseChannels; }
    std::string describe() const;   // one line, for info and logs
    SampleSpace space() const;      // what it denoises: the MLP 2-D points, a U-Net pixels
    // Turns on the built-in text encoder with the vocabulary `words`, cross-attention at
    // every level but the full-resolution one (where it costs most), and no classes.
    void useBuiltinText(std::vector<std::string> words);
    // The same with the frozen CLIP text encoder of `folder`: its features are `width` wide, `context` tokens.
    void useClipText(const std::string& folder, int width, int context);
};

std::string toString(UNetLayout layout);
UNetLayout unetLayoutFromString(const std::string& name);

}  // namespace ddpm
