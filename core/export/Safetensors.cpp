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
#include "util/JsonValue.h"

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

at::ScalarType scalarTypeFromSafetensors(const std::string& dtype) {
    for (const at::ScalarType type : {at::kFloat, at::kDouble, at::kHalf, at::kBFloat16, at::kLong, at::kInt, at::kShort,
                                      at::kChar, at::kByte, at::kBool})
        if (safetensorsDtype(type) == dtype) return type;
    throw std::invalid_argument("unknown dtype '" + dtype + "'");
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

SafetensorsFile readSafetensors(const std::string& path) {
    constexpr uint64_t kMaxHeaderBytes = 100ull << 20;   // the format's own limit
    const std::string shown = displayPath(path);
    auto fail = [&](const std::string& reason) -> std::runtime_error { return std::runtime_error(shown + ": " + reason); };
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw fail("no such safetensors file");
    const uint64_t fileSize = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    uint8_t lengthBytes[8];
    if (!in.read(reinterpret_cast<char*>(lengthBytes), 8)) throw fail("too short for a safetensors file (no header length)");
    uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i) headerLength = headerLength << 8 | lengthBytes[i];
    if (headerLength > kMaxHeaderBytes || headerLength > fileSize - 8)
        throw fail("the header length " + std::to_string(headerLength) + " reaches past the file's " +
                   std::to_string(fileSize) + " bytes");
    std::string header(size_t(headerLength), '\0');
    if (!in.read(header.data(), std::streamsize(headerLength))) throw fail("the header is cut short");
    const uint64_t dataSize = fileSize - 8 - headerLength;

    JsonValue root;
    try {
        root = parseJson(header);
        root.asObject();
    } catch (const std::runtime_error& e) {
        throw fail(std::string("the header is not a JSON object: ") + e.what());
    }
    struct Entry {
        std::string name;
        at::ScalarType dtype;
        std::vector<int64_t> shape;
        uint64_t begin, end;
    };
    std::vector<Entry> entries;
    SafetensorsFile file;
    for (const auto& [name, value] : root.asObject()) {
        try {
            if (name == "__metadata__") {
                for (const auto& [key, text] : value.asObject()) file.metadata[key] = text.asString();
                continue;
            }
            const JsonValue *dtype = value.find("dtype"), *shape = value.find("shape"), *offsets = value.find("data_offsets");
            if (!dtype || !shape || !offsets) throw std::runtime_error("needs dtype, shape and data_offsets");
            Entry e{name, scalarTypeFromSafetensors(dtype->asString()), {}, 0, 0};
            uint64_t bytes = uint64_t(c10::elementSize(e.dtype));
            for (const JsonValue& d : shape->asArray()) {
                const uint64_t size = d.asUint64();
                if (size > uint64_t(INT64_MAX) || (size > 0 && bytes > dataSize / size))
                    throw std::runtime_error("shape needs more bytes than the file holds");
                bytes *= size;
                e.shape.push_back(int64_t(size));
            }
            const auto& range = offsets->asArray();
            if (range.size() != 2) throw std::runtime_error("data_offsets must be [begin, end]");
            e.begin = range[0].asUint64();
            e.end = range[1].asUint64();
            if (e.begin > e.end || e.end > dataSize)
                throw std::runtime_error("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                                         "] lie outside the " + std::to_string(dataSize) + " data bytes");
            if (e.end - e.begin != bytes)
                throw std::runtime_error("data_offsets cover " + std::to_string(e.end - e.begin) + " bytes; dtype × shape needs " +
                                         std::to_string(bytes));
            entries.push_back(std::move(e));
        } catch (const std::exception& e) {
            throw fail("tensor '" + name + "': " + e.what());
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < entries.size(); ++i)
        if (entries[i].begin < entries[i - 1].end)
            throw fail("tensors '" + entries[i - 1].name + "' and '" + entries[i].name + "' overlap");
    for (const Entry& e : entries) {
        at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype));
        in.seekg(std::streamoff(8 + headerLength + e.begin));
        if (!in.read(static_cast<char*>(t.data_ptr()), std::streamsize(e.end - e.begin)))
            throw fail("tensor '" + e.name + "': its data is cut short");
        if (e.dtype == at::kBool) {   // any byte but 0 and 1 is not a bool
            const auto* bytes = static_cast<const uint8_t*>(t.data_ptr());
            if (std::any_of(bytes, bytes + t.numel(), [](uint8_t b) { return b > 1; }))
                throw fail("tensor '" + e.name + "': a BOOL value other than 0 or 1");
        }
        file.tensors.push_back({e.name, kHostIsLittleEndian ? t : fileLayout(t)});   // fileLayout swaps bytes both ways
    }
    return file;
}

}  // namespace ddpm
