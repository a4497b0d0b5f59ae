#pragma once
// The space a denoiser works in, described once for the trainer, the samplers,
// the files and the views: its tensor shape, how data maps into it and back
// (SampleSpaceTensors.h), and how its samples are shown. Pixels (C×H×W, uint8
// images mapped to [-1,1]), 2-D points, and an autoencoder's latents (Z×h×w,
// decoded to the pixels they stand for to be shown). No torch here: the GUI uses it.
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

struct Dataset;

enum class SpaceKind { Pixels, Points, Latents };

struct SampleSpace {
    SpaceKind kind = SpaceKind::Pixels;
    int channels = 1, height = 28, width = 28;   // pixels; points have 2 channels (x, y) and no extent
    int pictureChannels = 0, pictureHeight = 0, pictureWidth = 0;   // latents: the pixels they decode to

    static SampleSpace pixels(int channels, int height, int width);
    static SampleSpace points();
    static SampleSpace latents(int channels, int height, int width, const SampleSpace& pictures);

    bool isPoints() const { return kind == SpaceKind::Points; }
    bool isLatent() const { return kind == SpaceKind::Latents; }
    // What its samples are shown as: the decoded pixels for latents, itself otherwise.
    SampleSpace pictureSpace() const;
    std::vector<int64_t> itemShape() const;             // {C,H,W} or {2}
    std::vector<int64_t> batchShape(int64_t n) const;   // {n, …}
    // The data lies in [-1,1] (pixels): a sampler may clip its x̂0 there.
    bool boundedToUnitRange() const { return kind == SpaceKind::Pixels; }
    std::string describe() const;   // "28×28×1 pixels", "2-D points", "16×16×4 latents of 64×64×3 pixels"

    bool operator==(const SampleSpace& other) const;
    bool operator!=(const SampleSpace& other) const { return !(*this == other); }
};

// The space a dataset's items take as loaded.
SampleSpace sampleSpaceOf(const Dataset& dataset);

}  // namespace ddpm
