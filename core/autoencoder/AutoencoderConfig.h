#pragma once
// Plain description of a KL autoencoder: images of inChannels x R x R, padded to a
// multiple of 8, to latents of latentChannels x (R'/factor) x (R'/factor).
// 64x64x3 -> 16x16x4, 32x32x3 -> 8x8x4, 28x28x1 (padded to 32) -> 8x8x4 at factor 4.
#include <string>

namespace ddpm {

class KeyValueText;

struct AutoencoderConfig {
    int inChannels = 3;
    int resolution = 64;       // of the images; padded to paddedResolution() inside
    int factor = 4;            // 2, 4 or 8: one downsampling level per factor of 2
    int latentChannels = 4;
    int baseChannels = 32;     // doubled at each level below the first, up to 4x
    int groups = 8;            // GroupNorm groups

    int levels() const;                 // log2(factor)
    int channelsAt(int level) const;    // level 0 .. levels()
    int paddedResolution() const;       // the resolution rounded up to a multiple of 8
    int latentResolution() const { return paddedResolution() / factor; }
    std::string describe() const;       // "KL autoencoder 64x64x3 -> 16x16x4 (factor 4), base 32"

    // Throws std::invalid_argument naming the setting that is out of range.
    void validate() const;
    void write(KeyValueText& kv, const std::string& prefix) const;
    static AutoencoderConfig read(const KeyValueText& kv, const std::string& prefix);
};

}  // namespace ddpm
