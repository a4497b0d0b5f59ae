#include "data/NpyFormat.h"

#include <cctype>
#include <filesystem>

#include "data/ByteStream.h"
#include "data/DatasetError.h"
#include "data/Split.h"
#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

namespace {

// The header is a Python dict literal: {'descr': '|u1', 'fortran_order': False, 'shape': (64, 28, 28), }
// Read by hand: std::regex recurses once per character and overflowed the stack on a long header.
std::string headerValue(const std::string& header, const std::string& key, const std::string& file) {
    const size_t at = header.find("'" + key + "'");
    if (at == std::string::npos) throw DatasetError(file, "npy header has no '" + key + "'");
    size_t i = at + key.size() + 2;
    auto skipSpaces = [&] {
        while (i < header.size() && std::isspace(static_cast<unsigned char>(header[i]))) ++i;
    };
    skipSpaces();
    if (i >= header.size() || header[i] != ':') throw DatasetError(file, "npy header: no ':' after '" + key + "'");
    ++i;
    skipSpaces();
    const char open = i < header.size() ? header[i] : '\0';
    size_t end = std::string::npos;
    if (open == '\'') end = header.find('\'', i + 1);
    else if (open == '(') end = header.find(')', i + 1);
    else if (header.compare(i, 4, "True") == 0) end = i + 3;
    else if (header.compare(i, 5, "False") == 0) end = i + 4;
    if (end == std::string::npos) throw DatasetError(file, "npy header: malformed value of '" + key + "'");
    return header.substr(i, end - i + 1);
}

std::vector<int64_t> parseShape(const std::string& tuple, const std::string& file) {
    if (tuple.find('-') != std::string::npos) throw DatasetError(file, "npy shape " + tuple + " has a negative size");
    std::vector<int64_t> dims;
    for (size_t i = 0; i < tuple.size();) {
        if (!std::isdigit(static_cast<unsigned char>(tuple[i]))) {
            ++i;
            continue;
        }
        const size_t from = i;
        while (i < tuple.size() && std::isdigit(static_cast<unsigned char>(tuple[i]))) ++i;
        if (i - from > 12) throw DatasetError(file, "npy shape " + tuple + " is too large");
        dims.push_back(std::stoll(tuple.substr(from, i - from)));
    }
    return dims;
}

}  // namespace

bool isNpyFileName(const std::string& fileName) {
    return fileName.size() > 4 && fileName.compare(fileName.size() - 4, 4, ".npy") == 0;
}

Dataset loadNpy(const std::string& path, const LoadOptions& options) {
    const std::string file = displayPath(path);
    ByteStream in(path);
    uint8_t preamble[10];
    in.readExact(preamble, 10, "npy preamble");
    if (std::string(reinterpret_cast<char*>(preamble) + 1, 5) != "NUMPY" || preamble[0] != 0x93)
        throw DatasetError(file, "not a NumPy .npy file (bad magic bytes)");
    const int major = preamble[6];
    size_t headerLength = size_t(preamble[8]) | size_t(preamble[9]) << 8;
    if (major >= 2) {   // versions 2 and 3 have a 4-byte length
        uint8_t more[2];
        in.readExact(more, 2, "npy header length");
        headerLength |= size_t(more[0]) << 16 | size_t(more[1]) << 24;
    } else if (major != 1) {
        throw DatasetError(file, "unsupported npy version " + std::to_string(major));
    }
    if (headerLength > (1u << 20)) throw DatasetError(file, "npy header is implausibly long");
    std::string header(headerLength, '\0');
    in.readExact(reinterpret_cast<uint8_t*>(header.data()), headerLength, "npy header");

    const std::string descr = headerValue(header, "descr", file);
    if (descr != "'|u1'" && descr != "'<u1'")
        throw DatasetError(file, "array type " + (descr.size() > 40 ? descr.substr(0, 40) + "…" : descr) +
                                     " is not read: save the images as uint8 (0-255)");
    if (headerValue(header, "fortran_order", file) != "False")
        throw DatasetError(file, "Fortran-ordered arrays are not read: save with np.ascontiguousarray");
    const std::string shapeText = headerValue(header, "shape", file);
    const auto dims = parseShape(shapeText, file);

    Dataset d;
    d.name = fs::path(path).filename().string();
    d.source = path;
    d.format = "npy";
    // Every dimension is checked while still 64-bit: a narrowing cast or an overflowing
    // product would let a tiny file declare an array it does not hold.
    for (size_t i = 1; i < dims.size(); ++i)
        if (dims[i] < 1 || dims[i] > 4096)
            throw DatasetError(file, "shape " + shapeText + " holds no usable images (each side 1 … 4096)");
    bool channelsLast = false;
    if (dims.size() == 3) {
        d.channels = 1;
        d.height = int(dims[1]);
        d.width = int(dims[2]);
    } else if (dims.size() == 4 && (dims[3] == 1 || dims[3] == 3)) {
        channelsLast = true;
        d.height = int(dims[1]);
        d.width = int(dims[2]);
        d.channels = int(dims[3]);
    } else if (dims.size() == 4 && (dims[1] == 1 || dims[1] == 3)) {
        d.channels = int(dims[1]);
        d.height = int(dims[2]);
        d.width = int(dims[3]);
    } else {
        throw DatasetError(file, "shape " + shapeText + " is not images: expected (N,H,W), (N,H,W,C) or (N,C,H,W), C = 1 or 3");
    }
    if (dims[0] < 1) throw DatasetError(file, "shape " + shapeText + " holds no images");
    if (uint64_t(dims[0]) > options.memoryLimitBytes / uint64_t(d.imageBytes()))   // before multiplying
        throw DatasetError(file, "shape " + shapeText + " needs more than the memory limit of " +
                                     std::to_string(options.memoryLimitBytes >> 20) + " MiB");
    d.count = dims[0];
    const uint64_t bytes = uint64_t(d.count) * uint64_t(d.imageBytes());
    if (!in.compressed() && bytes > in.fileSize())
        throw DatasetError(file, "shape " + shapeText + " needs " + std::to_string(bytes) + " bytes; the file holds " +
                                     std::to_string(in.fileSize()));
    std::vector<uint8_t> raw = in.readVector(bytes, "npy data");
    if (!in.atEnd()) throw DatasetError(file, "bytes follow the array that its shape " + shapeText + " does not cover");

    if (channelsLast && d.channels > 1) {   // NHWC -> NCHW
        d.pixels.resize(raw.size());
        const int64_t hw = int64_t(d.height) * d.width;
        for (int64_t n = 0; n < d.count; ++n)
            for (int64_t p = 0; p < hw; ++p)
                for (int c = 0; c < d.channels; ++c)
                    d.pixels[size_t((n * d.channels + c) * hw + p)] = raw[size_t((n * hw + p) * d.channels + c)];
    } else {
        d.pixels = std::move(raw);
    }
    d.trainCount = defaultTrainCount(d.count);
    return d;
}

}  // namespace ddpm
