#include "diffusion/SampleSpaceTensors.h"

#include <stdexcept>

#include "image/ImageTensors.h"

namespace ddpm {

torch::Tensor storedItems(const Dataset& d, int64_t begin, int64_t count, const SampleSpace& space) {
    if (space.isLatent())
        throw std::invalid_argument("dataset " + d.name + " holds pixels: its latents come from an autoencoder");
    if (d.isPoints() != space.isPoints())
        throw std::invalid_argument("dataset " + d.name + " does not hold " + space.describe());
    if (!space.isPoints()) return datasetImages(d, begin, count);   // (n,C,H,W) uint8
    if (begin < 0 || count < 0 || begin + count > d.count) throw std::out_of_range("dataset item range");
    return torch::from_blob(const_cast<float*>(d.points.data()) + 2 * begin, {count, 2}, torch::kFloat).clone();
}

torch::Tensor toModelSpace(const SampleSpace& space, const torch::Tensor& stored) {
    return space.kind == SpaceKind::Pixels ? toSignedUnit(stored) : stored.to(torch::kFloat);
}

}  // namespace ddpm
