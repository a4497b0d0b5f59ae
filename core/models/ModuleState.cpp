#include "models/ModuleState.h"

#include <zlib.h>

#include <map>
#include <sstream>
#include <stdexcept>

namespace ddpm {

namespace {

struct TensorLayout {
    std::vector<int64_t> sizes;
    at::ScalarType dtype;
};

std::map<std::string, TensorLayout> layoutOf(const torch::nn::Module& module) {
    std::map<std::string, TensorLayout> layout;
    for (const auto& p : module.named_parameters()) layout[p.key()] = {p.value().sizes().vec(), p.value().scalar_type()};
    for (const auto& b : module.named_buffers()) layout[b.key()] = {b.value().sizes().vec(), b.value().scalar_type()};
    return layout;
}

std::string shapeText(const std::vector<int64_t>& sizes) {
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i) out << (i ? "," : "") << sizes[i];
    out << ']';
    return out.str();
}

uLong addTensor(uLong crc, const std::string& name, const torch::Tensor& tensor) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(name.data()), uInt(name.size()));
    const auto sizes = tensor.sizes();
    crc = crc32(crc, reinterpret_cast<const Bytef*>(sizes.data()), uInt(sizes.size() * sizeof(int64_t)));
    const torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
    const auto* data = static_cast<const Bytef*>(bytes.data_ptr());
    for (size_t done = 0, total = bytes.nbytes(); done < total;) {
        const size_t n = std::min<size_t>(total - done, 1u << 30);
        crc = crc32(crc, data + done, uInt(n));
        done += n;
    }
    return crc;
}

}  // namespace

void loadModuleState(torch::nn::Module& module, torch::serialize::InputArchive& archive) {
    const auto expected = layoutOf(module);
    module.load(archive);
    for (const auto& [name, actual] : layoutOf(module)) {
        const TensorLayout& wanted = expected.at(name);
        if (actual.sizes != wanted.sizes)
            throw std::runtime_error("tensor '" + name + "' has shape " + shapeText(actual.sizes) + ", the model needs " +
                                     shapeText(wanted.sizes));
        if (actual.dtype != wanted.dtype)
            throw std::runtime_error("tensor '" + name + "' is " + std::string(c10::toString(actual.dtype)) +
                                     ", the model needs " + c10::toString(wanted.dtype));
    }
}

uint32_t moduleStateChecksum(const torch::nn::Module& module) {
    uLong crc = crc32(0, nullptr, 0);
    for (const auto& p : module.named_parameters()) crc = addTensor(crc, p.key(), p.value());
    for (const auto& b : module.named_buffers()) crc = addTensor(crc, b.key(), b.value());
    return uint32_t(crc);
}

torch::Tensor moduleStateChecksums(const std::vector<const torch::nn::Module*>& modules) {
    std::vector<int64_t> sums;
    for (const torch::nn::Module* module : modules) sums.push_back(int64_t(moduleStateChecksum(*module)));
    return torch::tensor(sums, torch::kInt64);
}

bool matchesStoredChecksum(const torch::nn::Module& module, const torch::Tensor& stored, int64_t index, int64_t count) {
    if (!stored.defined()) return true;
    if (stored.dim() != 1 || stored.numel() != count || stored.scalar_type() != torch::kInt64) return false;
    return stored[index].item<int64_t>() == int64_t(moduleStateChecksum(module));
}

}  // namespace ddpm
