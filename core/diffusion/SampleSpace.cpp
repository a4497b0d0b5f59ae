#include "diffusion/SampleSpace.h"

#include "data/Dataset.h"

namespace ddpm {

SampleSpace SampleSpace::pixels(int channels, int height, int width) {
    SampleSpace s;
    s.kind = SpaceKind::Pixels;
    s.channels = channels;
    s.height = height;
    s.width = width;
    return s;
}

SampleSpace SampleSpace::points() {
    SampleSpace s;
    s.kind = SpaceKind::Points;
    s.channels = 2;
    s.height = s.width = 0;
    return s;
}

SampleSpace SampleSpace::latents(int channels, int height, int width, const SampleSpace& pictures) {
    SampleSpace s = pixels(channels, height, width);
    s.kind = SpaceKind::Latents;
    s.pictureChannels = pictures.channels;
    s.pictureHeight = pictures.height;
    s.pictureWidth = pictures.width;
    return s;
}

SampleSpace SampleSpace::pictureSpace() const {
    return isLatent() ? pixels(pictureChannels, pictureHeight, pictureWidth) : *this;
}

std::vector<int64_t> SampleSpace::itemShape() const {
    if (isPoints()) return {channels};
    return {channels, height, width};
}

std::vector<int64_t> SampleSpace::batchShape(int64_t n) const {
    std::vector<int64_t> shape = itemShape();
    shape.insert(shape.begin(), n);
    return shape;
}

std::string SampleSpace::describe() const {
    if (isPoints()) return "2-D points";
    const std::string shape = std::to_string(width) + "×" + std::to_string(height) + "×" + std::to_string(channels);
    if (isLatent()) return shape + " latents of " + pictureSpace().describe();
    return shape + " pixels";
}

bool SampleSpace::operator==(const SampleSpace& o) const {
    return kind == o.kind && channels == o.channels && height == o.height && width == o.width &&
           pictureChannels == o.pictureChannels && pictureHeight == o.pictureHeight && pictureWidth == o.pictureWidth;
}

SampleSpace sampleSpaceOf(const Dataset& d) {
    return d.isPoints() ? SampleSpace::points() : SampleSpace::pixels(d.channels, d.height, d.width);
}

}  // namespace ddpm
