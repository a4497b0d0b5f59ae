#include "image/ImageTensors.h"

#include <stdexcept>

#include "data/Dataset.h"

namespace ddpm {

namespace {
void checkRange(const Dataset& d, int64_t begin, int64_t count) {
    if (begin < 0 || count < 0 || begin + count > d.count)
        throw std::out_of_range("items [" + std::to_string(begin) + ", " + std::to_string(begin + count) +
                                ") outside dataset " + d.name + " of " + std::to_string(d.count));
}
}  // namespace

torch::Tensor datasetImages(const Dataset& d, int64_t begin, int64_t count) {
    if (d.isPoints()) throw std::invalid_argument("dataset " + d.name + " holds points, not images");
    checkRange(d, begin, count);
    return torch::from_blob(const_cast<uint8_t*>(d.image(begin)), {count, d.channels, d.height, d.width},
                            torch::kUInt8)
        .clone();
}

torch::Tensor datasetLabels(const Dataset& d, int64_t begin, int64_t count) {
    if (!d.hasLabels()) throw std::invalid_argument("dataset " + d.name + " has no labels");
    checkRange(d, begin, count);
    return torch::from_blob(const_cast<int32_t*>(d.labels.data() + begin), {count}, torch::kInt32)
        .to(torch::kInt64);
}

torch::Tensor toSignedUnit(const torch::Tensor& pixels) {
    return pixels.to(torch::kFloat).div_(127.5).sub_(1.0);
}

}  // namespace ddpm
