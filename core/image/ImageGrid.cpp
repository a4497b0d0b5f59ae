#include "image/ImageGrid.h"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <zlib.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "util/AtomicFile.h"

namespace ddpm {

torch::Tensor toUint8(const torch::Tensor& x) {
    return ((x.detach().to(torch::kCPU, torch::kFloat) + 1.0) * 127.5).round().clamp(0, 255).to(torch::kUInt8);
}

cv::Mat makeGrid(const torch::Tensor& x, int columns, int padding, int padValue) {
    const auto u8 = toUint8(x).contiguous();   // (N,C,H,W)
    const int64_t N = u8.size(0), C = u8.size(1), H = u8.size(2), W = u8.size(3);
    columns = int(std::max<int64_t>(1, std::min<int64_t>(columns, N)));
    const int rows = int((N + columns - 1) / columns);
    cv::Mat grid(int(rows * H + (rows + 1) * padding), int(columns * W + (columns + 1) * padding),
                 C == 1 ? CV_8UC1 : CV_8UC3, cv::Scalar::all(padValue));
    const uint8_t* data = u8.data_ptr<uint8_t>();
    for (int64_t n = 0; n < N; ++n) {
        const int top = int(padding + (n / columns) * (H + padding));
        const int left = int(padding + (n % columns) * (W + padding));
        for (int64_t y = 0; y < H; ++y) {
            uint8_t* row = grid.ptr<uint8_t>(int(top + y)) + left * C;
            for (int64_t xx = 0; xx < W; ++xx)
                for (int64_t c = 0; c < C; ++c) row[xx * C + c] = data[((n * C + c) * H + y) * W + xx];
        }
    }
    return grid;
}

namespace {
void appendBigEndian32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}
uint32_t readBigEndian32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
}  // namespace

void writePng(const std::string& path, const cv::Mat& image, const std::map<std::string, std::string>& text) {
    cv::Mat bgr = image;
    if (image.channels() == 3) cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", bgr, png)) throw std::runtime_error(path + ": PNG encoding failed");
    // tEXt chunks go right after IHDR (8-byte signature + 25-byte IHDR chunk).
    std::vector<uint8_t> chunks;
    for (const auto& [key, value] : text) {
        std::vector<uint8_t> body = {'t', 'E', 'X', 't'};
        body.insert(body.end(), key.begin(), key.end());
        body.push_back(0);
        body.insert(body.end(), value.begin(), value.end());
        appendBigEndian32(chunks, uint32_t(body.size() - 4));
        chunks.insert(chunks.end(), body.begin(), body.end());
        appendBigEndian32(chunks, uint32_t(crc32(0, body.data(), uInt(body.size()))));
    }
    png.insert(png.begin() + 33, chunks.begin(), chunks.end());
    writeFileAtomically(path, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary);
        out.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
        if (!out.flush()) throw std::runtime_error(path + ": cannot write");
    });
}

std::map<std::string, std::string> readPngText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() < 8 || !std::equal(signature, signature + 8, bytes.begin()))
        throw std::runtime_error(path + ": not a PNG file");
    std::map<std::string, std::string> text;
    for (size_t pos = 8; pos + 12 <= bytes.size();) {
        const uint32_t length = readBigEndian32(&bytes[pos]);
        if (pos + 12 + length > bytes.size()) break;
        const std::string type(bytes.begin() + long(pos + 4), bytes.begin() + long(pos + 8));
        if (type == "tEXt") {
            const auto begin = bytes.begin() + long(pos + 8), end = begin + long(length);
            const auto nul = std::find(begin, end, uint8_t(0));
            if (nul != end) text[std::string(begin, nul)] = std::string(nul + 1, end);
        }
        if (type == "IEND") break;
        pos += 12 + length;
    }
    return text;
}

}  // namespace ddpm
