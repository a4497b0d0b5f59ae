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
    return std::to_string(width) + "×" + std::to_string(height) + "×" + std::to_string(channels) + " pixels";
}

bool SampleSpace::operator==(const SampleSpace& o) const {
    return kind == o.kind && channels == o.channels && height == o.height && width == o.width;
}

SampleSpace sampleSpaceOf(const Dataset& d) {
    return d.isPoints() ? SampleSpace::points() : SampleSpace::pixels(d.channels, d.height, d.width);
}

}  // namespace ddpm
