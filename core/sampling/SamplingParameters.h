#pragma once
// How to draw samples: one struct for every front end (ddpm sample and eval,
// the Denoise and Samples tabs, the training previews, a PNG dragged back onto
// the app), and its one form as PNG text chunks ("ddpm:sampler", "ddpm:steps",
// ...). No torch here: the GUI uses it directly.
#include <cstdint>
#include <map>
#include <string>

#include "models/Precision.h"

namespace ddpm {

enum class SamplerKind { Ddpm, Ddim };
std::string toString(SamplerKind kind);
SamplerKind samplerKindFromString(const std::string& name);   // "ddpm", "ddim"

struct SamplingParameters {
    SamplerKind sampler = SamplerKind::Ddim;
    int steps = 50;                   // DDIM; DDPM always walks all T steps
    double eta = 0.0;                 // DDIM noise: 0 deterministic, 1 DDPM-like
    bool quadraticSpacing = false;    // DDIM timesteps spaced quadratically (denser near t = 0)
    bool clipX0 = true;               // clip x̂0 to [-1,1] (images only)
    bool ddpmPosteriorVariance = true;   // DDPM: σ² = β̃_t (true) or β_t
    double guidance = 1.0;            // classifier-free guidance scale w: ε = ε_u + w (ε_c − ε_u)
    int classLabel = -1;              // conditional models: the class; -1 cycles 0,1,2,… over the batch
    std::string prompt;               // text models: what to draw ("" samples unconditionally)
    std::string negativePrompt;       // text models: what guidance steers away from ("": the empty prompt)
    int64_t count = 16;
    uint64_t seed = 0;
    Precision precision = defaultPrecision();   // convolutions and products; the rest stays fp32
    // Provenance, for the PNG text: which weights of which checkpoint drew them.
    std::string checkpoint;           // the checkpoint's file name, "" when unknown
    std::string weights = "ema";      // "ema" or "raw"

    // Denoising steps taken with a schedule of T steps.
    int stepsTaken(int timesteps) const { return sampler == SamplerKind::Ddpm ? timesteps : steps; }
};

// The values every front end accepts: the CLI's options, the app's controls and PNG text.
struct SamplingLimits {
    static constexpr int kMaxSteps = 100000;
    static constexpr double kMaxGuidance = 100;
    static constexpr int64_t kMaxCount = 100000;
    static constexpr int64_t kMaxSeed = int64_t(1) << 62;
    static constexpr int kMaxClass = 100000;   // a model's classes are checked when it is loaded
    static constexpr size_t kMaxPromptBytes = 4096;
};

// The tEXt chunks that describe `parameters` for a model with T = timesteps.
std::map<std::string, std::string> toPngText(const SamplingParameters& parameters, int timesteps);
// True when the chunks come from DDPM Studio or the ddpm tool (they have "ddpm:sampler").
bool hasSamplingParameters(const std::map<std::string, std::string>& text);
// Missing keys keep their defaults; throws std::invalid_argument naming the key of a malformed
// or out-of-range value (SamplingLimits; η in [0, 1]; prompts valid UTF-8).
SamplingParameters samplingParametersFromPngText(const std::map<std::string, std::string>& text);

}  // namespace ddpm
