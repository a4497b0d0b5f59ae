#include "image/ImageGrid.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/PngChunks.h"
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

void writePng(const std::string& path, const cv::Mat& image, const std::map<std::string, std::string>& text) {
    cv::Mat bgr = image;
    if (image.channels() == 3) cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", bgr, png)) throw std::runtime_error(path + ": PNG encoding failed");
    // Text chunks go right after IHDR (8-byte signature + 25-byte IHDR chunk): tEXt is Latin-1,
    // so text beyond ASCII (a prompt) goes in an iTXt chunk, which is UTF-8.
    std::vector<uint8_t> chunks;
    for (const auto& [key, value] : text) {
        const bool ascii = std::all_of(value.begin(), value.end(), [](char c) { return (unsigned char)c < 0x80; });
        if (ascii) appendPngChunk(chunks, "tEXt", pngTextBody(key, value));
        else appendPngChunk(chunks, "iTXt", pngInternationalTextBody(key, value));
    }
    png.insert(png.begin() + 33, chunks.begin(), chunks.end());
    writeFileAtomically(path, png);
}

std::map<std::string, std::string> readPngText(const std::string& path) {
    // Only the chunk headers and the text chunks are read: a dropped file may be huge, or not a PNG.
    // A named pipe would block the open (a drag over the window); at most 16 MB of text is kept.
    constexpr uint32_t kMaxTextChunk = 1 << 20;
    constexpr size_t kMaxTextBytes = 16 << 20;
    constexpr int kMaxChunks = 100000;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    uint8_t signature[8] = {};
    if (!in.read(reinterpret_cast<char*>(signature), 8) || !std::equal(signature, signature + 8, kPngSignature))
        throw std::runtime_error(path + ": not a PNG file");
    std::map<std::string, std::string> text;
    size_t kept = 0;
    uint8_t header[8];
    for (int chunk = 0; chunk < kMaxChunks && kept <= kMaxTextBytes && in.read(reinterpret_cast<char*>(header), 8); ++chunk) {
        const uint32_t length = readBigEndian32(header);
        const std::string type(header + 4, header + 8);
        if (type == "IEND") break;
        if ((type != "tEXt" && type != "iTXt") || length > kMaxTextChunk) {
            in.seekg(std::streamoff(length) + 4, std::ios::cur);
            continue;
        }
        std::string body(length, '\0');
        if (!in.read(body.data(), length)) break;   // cut short: keep what was whole
        in.seekg(4, std::ios::cur);                  // CRC
        std::string key, value;
        if (parsePngTextBody(type, body, key, value)) {
            kept += key.size() + value.size();
            text[key] = std::move(value);
        }
    }
    return text;
}

}  // namespace ddpm
