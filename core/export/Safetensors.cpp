#include "export/Safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include <ATen/ATen.h>

#include "util/AtomicFile.h"
#include "util/DisplayPath.h"
#include "util/JsonText.h"

namespace ddpm {

namespace {

constexpr bool kHostIsLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// The bytes of one tensor as the file stores them: CPU, row-major, little-endian.
at::Tensor fileLayout(const at::Tensor& tensor) {
    at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    if (!kHostIsLittleEndian && t.element_size() > 1) {
        t = t.clone();
        auto* bytes = static_cast<uint8_t*>(t.data_ptr());
        const int64_t size = t.element_size();
        for (int64_t i = 0; i < t.numel(); ++i) std::reverse(bytes + i * size, bytes + (i + 1) * size);
    }
    return t;
}

void checkNames(const std::vector<NamedTensor>& tensors) {
    std::set<std::string> seen;
    for (const auto& nt : tensors) {
        if (nt.name.empty() || nt.name == "__metadata__")
            throw std::invalid_argument("safetensors: invalid tensor name '" + nt.name + "'");
        if (!seen.insert(nt.name).second) throw std::invalid_argument("safetensors: duplicate tensor name '" + nt.name + "'");
        if (!nt.tensor.defined()) throw std::invalid_argument("safetensors: tensor '" + nt.name + "' is undefined");
    }
}

}  // namespace

std::string safetensorsDtype(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return "F32";
        case at::kDouble: return "F64";
        case at::kHalf: return "F16";
        case at::kBFloat16: return "BF16";
        case at::kLong: return "I64";
        case at::kInt: return "I32";
        case at::kShort: return "I16";
        case at::kChar: return "I8";
        case at::kByte: return "U8";
        case at::kBool: return "BOOL";
        default: throw std::invalid_argument(std::string("safetensors has no dtype for ") + c10::toString(type));
    }
}

void writeSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                      const std::vector<std::pair<std::string, std::string>>& metadata) {
    checkNames(tensors);
    std::vector<at::Tensor> data;
    data.reserve(tensors.size());
    std::string header = "{";
    if (!metadata.empty()) {
        header += "\"__metadata__\":{";
        for (size_t i = 0; i < metadata.size(); ++i)
            header += (i ? "," : "") + jsonString(metadata[i].first) + ":" + jsonString(metadata[i].second);
        header += "}";
    }
    uint64_t offset = 0;
    for (const auto& nt : tensors) {
        data.push_back(fileLayout(nt.tensor));
        const uint64_t bytes = uint64_t(data.back().numel()) * uint64_t(data.back().element_size());
        std::string shape;
        for (const int64_t d : nt.tensor.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
        header += (header.size() > 1 ? "," : "") + jsonString(nt.name) + ":{\"dtype\":\"" +
                  safetensorsDtype(nt.tensor.scalar_type()) + "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
                  std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    header += "}";
    // Spaces pad the header so the data starts 8-byte aligned, as the reference writer does.
    header.append((8 - header.size() % 8) % 8, ' ');

    const std::filesystem::path target(path);
    const std::filesystem::path folder = target.parent_path().empty() ? "." : target.parent_path();
    std::error_code ec;
    if (std::filesystem::is_directory(target, ec))
        throw std::runtime_error(displayPath(target) + ": cannot write: it is a folder, not a file name");
    if (!std::filesystem::is_directory(folder, ec))
        throw std::runtime_error(displayPath(target) + ": cannot write: folder " + displayPath(folder) + " does not exist");

    writeFileAtomically(path, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary);
        if (!out) throw std::runtime_error(displayPath(target) + ": cannot write: " + std::strerror(errno));
        uint8_t length[8];
        for (int i = 0; i < 8; ++i) length[i] = uint8_t(uint64_t(header.size()) >> (8 * i));
        out.write(reinterpret_cast<const char*>(length), 8);
        out.write(header.data(), std::streamsize(header.size()));
        for (const auto& t : data)
            out.write(static_cast<const char*>(t.data_ptr()), std::streamsize(t.numel() * t.element_size()));
        if (!out.flush()) throw std::runtime_error(displayPath(target) + ": cannot write (disk full?)");
    });
}

}  // namespace ddpm
