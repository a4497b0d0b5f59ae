#pragma once
// The generation parameters of a sample grid, and their form as PNG text chunks
// ("ddpm:sampler", "ddpm:steps", ...). `ddpm sample` and the app's Samples tab
// write them; the app reads them back from a dropped PNG. No torch here: the
// GUI uses it directly.
#include <cstdint>
#include <map>
#include <string>

namespace ddpm {

struct SampleParameters {
    std::string sampler = "ddim";   // "ddpm" (all T steps) or "ddim"
    int steps = 50;                 // steps taken (T for ddpm)
    double eta = 0.0;               // DDIM noise
    int64_t count = 64;
    uint64_t seed = 0;
    double guidance = 1.0;          // classifier-free guidance scale
    int classLabel = -1;            // -1: classes cycle over the batch (or no classes)
    std::string checkpoint;         // the checkpoint's file name, "" when unknown
    std::string weights = "ema";    // "ema" or "raw"
};

// The tEXt chunks that describe `parameters`.
std::map<std::string, std::string> toPngText(const SampleParameters& parameters);
// True when the chunks come from DDPM Studio or the ddpm tool (they have "ddpm:sampler").
bool hasSampleParameters(const std::map<std::string, std::string>& text);
// Missing keys keep their defaults; throws std::invalid_argument naming the key of a malformed value.
SampleParameters sampleParametersFromPngText(const std::map<std::string, std::string>& text);

}  // namespace ddpm
