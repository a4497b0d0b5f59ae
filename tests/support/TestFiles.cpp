#include "support/TestFiles.h"

#include <fstream>
#include <stdexcept>
#include <zlib.h>

namespace ddpm::test {

void writeBytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<uint8_t> readBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<uint8_t> gzipBytes(const std::vector<uint8_t>& raw) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflate");
    std::vector<uint8_t> out(deflateBound(&z, uLong(raw.size())) + 64);
    z.next_in = const_cast<Bytef*>(raw.data());
    z.avail_in = uInt(raw.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::vector<uint8_t> idxBytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> bytes = {0, 0, 0x08, uint8_t(dims.size())};
    for (uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(uint8_t(d >> shift));
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

std::vector<uint8_t> npyBytes(const std::string& descr, const std::string& shape, const std::vector<uint8_t>& data) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(header.size() & 0xFF),
                                  uint8_t(header.size() >> 8)};
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

uint8_t idxPixel(int i, int y, int x) { return uint8_t((i * 7 + y * 3 + x) % 256); }

void writeIdxPair(const std::filesystem::path& folder, const std::string& prefix, int n, int h, int w, int classes,
                  bool gz) {
    std::vector<uint8_t> pixels, labels;
    for (int i = 0; i < n; ++i) {
        labels.push_back(uint8_t(i % classes));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) pixels.push_back(idxPixel(i, y, x));
    }
    auto images = idxBytes({uint32_t(n), uint32_t(h), uint32_t(w)}, pixels);
    auto labelBytes = idxBytes({uint32_t(n)}, labels);
    const std::string ext = gz ? ".gz" : "";
    writeBytes(folder / (prefix + "-images-idx3-ubyte" + ext), gz ? gzipBytes(images) : images);
    writeBytes(folder / (prefix + "-labels-idx1-ubyte" + ext), gz ? gzipBytes(labelBytes) : labelBytes);
}

void writeCifarFile(const std::filesystem::path& path, int n, int labelBytes, int classes) {
    std::vector<uint8_t> bytes;
    for (int i = 0; i < n; ++i) {
        for (int b = 0; b < labelBytes; ++b) bytes.push_back(uint8_t(i % classes));
        for (int c = 0; c < 3; ++c) bytes.insert(bytes.end(), 1024, uint8_t((i + 50 * c) % 256));
    }
    writeBytes(path, bytes);
}

}  // namespace ddpm::test
