#include "image/Apng.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <zlib.h>

#include "image/PngChunks.h"
#include "util/AtomicFile.h"

namespace ddpm {

namespace {

constexpr uint8_t kColourGrey = 0, kColourRgb = 2;
constexpr uint8_t kFilterNone = 0, kFilterSub = 1, kFilterUp = 2, kFilterAverage = 3, kFilterPaeth = 4;

// One frame's scanlines, each with the "Up" filter (the row minus the row above):
// denoising frames change slowly down the picture, so this compresses well.
std::vector<uint8_t> compressFrame(const cv::Mat& frame) {
    const size_t rowBytes = size_t(frame.cols) * size_t(frame.channels());
    std::vector<uint8_t> raw;
    raw.reserve((rowBytes + 1) * size_t(frame.rows));
    for (int y = 0; y < frame.rows; ++y) {
        const uint8_t* row = frame.ptr<uint8_t>(y);
        const uint8_t* above = y > 0 ? frame.ptr<uint8_t>(y - 1) : nullptr;
        raw.push_back(kFilterUp);
        for (size_t i = 0; i < rowBytes; ++i) raw.push_back(uint8_t(row[i] - (above ? above[i] : 0)));
    }
    uLongf size = compressBound(uLong(raw.size()));
    std::vector<uint8_t> packed(size);
    if (compress2(packed.data(), &size, raw.data(), uLong(raw.size()), 6) != Z_OK)
        throw std::runtime_error("zlib compression failed");
    packed.resize(size);
    return packed;
}

std::vector<uint8_t> frameControl(uint32_t sequence, const cv::Mat& frame, int delayMs) {
    std::vector<uint8_t> body;
    appendBigEndian32(body, sequence);
    appendBigEndian32(body, uint32_t(frame.cols));
    appendBigEndian32(body, uint32_t(frame.rows));
    appendBigEndian32(body, 0);   // x offset
    appendBigEndian32(body, 0);   // y offset
    appendBigEndian16(body, uint16_t(std::min(delayMs, 65535)));
    appendBigEndian16(body, 1000);   // delay in milliseconds
    body.push_back(0);   // dispose: none
    body.push_back(0);   // blend: source (replace the canvas)
    return body;
}

uint8_t paeth(int a, int b, int c) {
    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return uint8_t(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

cv::Mat decodeFrame(const std::vector<uint8_t>& packed, int width, int height, int channels, const std::string& where) {
    const size_t rowBytes = size_t(width) * size_t(channels);
    std::vector<uint8_t> raw((rowBytes + 1) * size_t(height));
    uLongf size = uLongf(raw.size());
    if (uncompress(raw.data(), &size, packed.data(), uLong(packed.size())) != Z_OK || size != raw.size())
        throw std::runtime_error(where + ": image data does not inflate to " + std::to_string(raw.size()) + " bytes");
    cv::Mat frame(height, width, channels == 1 ? CV_8UC1 : CV_8UC3);
    for (int y = 0; y < height; ++y) {
        const uint8_t filter = raw[size_t(y) * (rowBytes + 1)];
        const uint8_t* in = &raw[size_t(y) * (rowBytes + 1) + 1];
        uint8_t* out = frame.ptr<uint8_t>(y);
        const uint8_t* up = y > 0 ? frame.ptr<uint8_t>(y - 1) : nullptr;
        for (size_t i = 0; i < rowBytes; ++i) {
            const int a = i >= size_t(channels) ? out[i - size_t(channels)] : 0;
            const int b = up ? up[i] : 0;
            const int c = up && i >= size_t(channels) ? up[i - size_t(channels)] : 0;
            switch (filter) {
                case kFilterNone: out[i] = in[i]; break;
                case kFilterSub: out[i] = uint8_t(in[i] + a); break;
                case kFilterUp: out[i] = uint8_t(in[i] + b); break;
                case kFilterAverage: out[i] = uint8_t(in[i] + (a + b) / 2); break;
                case kFilterPaeth: out[i] = uint8_t(in[i] + paeth(a, b, c)); break;
                default: throw std::runtime_error(where + ": unknown filter type " + std::to_string(filter));
            }
        }
    }
    return frame;
}

}  // namespace

void writeApng(const std::string& path, const std::vector<cv::Mat>& frames, int delayMs, int loops) {
    if (frames.empty()) throw std::runtime_error(path + ": an animation needs at least one frame");
    const cv::Mat& first = frames.front();
    if (first.depth() != CV_8U || (first.channels() != 1 && first.channels() != 3))
        throw std::runtime_error(path + ": frames must be 8-bit grey or RGB");
    for (const cv::Mat& frame : frames)
        if (frame.size() != first.size() || frame.type() != first.type())
            throw std::runtime_error(path + ": every frame must have the first frame's size and type");

    std::vector<uint8_t> png(std::begin(kPngSignature), std::end(kPngSignature));
    std::vector<uint8_t> header;
    appendBigEndian32(header, uint32_t(first.cols));
    appendBigEndian32(header, uint32_t(first.rows));
    header.insert(header.end(), {8, first.channels() == 1 ? kColourGrey : kColourRgb, 0, 0, 0});
    appendPngChunk(png, "IHDR", header);
    std::vector<uint8_t> animation;
    appendBigEndian32(animation, uint32_t(frames.size()));
    appendBigEndian32(animation, uint32_t(loops));
    appendPngChunk(png, "acTL", animation);

    // One sequence for fcTL and fdAT chunks together; the first frame is the plain IDAT.
    uint32_t sequence = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        appendPngChunk(png, "fcTL", frameControl(sequence++, frames[i], delayMs));
        const std::vector<uint8_t> data = compressFrame(frames[i]);
        if (i == 0) {
            appendPngChunk(png, "IDAT", data);
        } else {
            std::vector<uint8_t> body;
            appendBigEndian32(body, sequence++);
            body.insert(body.end(), data.begin(), data.end());
            appendPngChunk(png, "fdAT", body);
        }
    }
    appendPngChunk(png, "IEND", {});
    writeFileAtomically(path, png);
}

ApngFile readApng(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::vector<PngChunk> chunks = readPngChunks(bytes, path, true);
    if (chunks.empty() || chunks.front().type != "IHDR" || chunks.front().body.size() != 13)
        throw std::runtime_error(path + ": the first chunk is not a valid IHDR");
    if (chunks.back().type != "IEND") throw std::runtime_error(path + ": no IEND chunk (truncated file)");

    ApngFile file;
    const std::vector<uint8_t>& header = chunks.front().body;
    file.width = int(readBigEndian32(&header[0]));
    file.height = int(readBigEndian32(&header[4]));
    if (header[8] != 8 || (header[9] != kColourGrey && header[9] != kColourRgb) || header[12] != 0)
        throw std::runtime_error(path + ": only 8-bit grey or RGB, non-interlaced images are read");
    file.channels = header[9] == kColourGrey ? 1 : 3;

    int declaredFrames = -1;
    uint32_t expectedSequence = 0;
    std::vector<uint8_t> frameData;
    bool inFrame = false;
    auto finishFrame = [&] {
        if (!inFrame) return;
        const std::string where = path + ": frame " + std::to_string(file.frames.size());
        file.frames.push_back(decodeFrame(frameData, file.width, file.height, file.channels, where));
        frameData.clear();
        inFrame = false;
    };
    for (const PngChunk& chunk : chunks) {
        if (chunk.type == "acTL") {
            if (chunk.body.size() != 8) throw std::runtime_error(path + ": acTL chunk of the wrong size");
            declaredFrames = int(readBigEndian32(&chunk.body[0]));
            file.loops = int(readBigEndian32(&chunk.body[4]));
        } else if (chunk.type == "fcTL") {
            finishFrame();
            if (chunk.body.size() != 26) throw std::runtime_error(path + ": fcTL chunk of the wrong size");
            if (readBigEndian32(&chunk.body[0]) != expectedSequence++)
                throw std::runtime_error(path + ": fcTL sequence number out of order");
            if (int(readBigEndian32(&chunk.body[4])) != file.width || int(readBigEndian32(&chunk.body[8])) != file.height ||
                readBigEndian32(&chunk.body[12]) != 0 || readBigEndian32(&chunk.body[16]) != 0)
                throw std::runtime_error(path + ": only whole-canvas frames are read");
            const int numerator = readBigEndian16(&chunk.body[20]), denominator = readBigEndian16(&chunk.body[22]);
            file.delaysMs.push_back(numerator * 1000 / (denominator == 0 ? 100 : denominator));
            inFrame = true;
        } else if (chunk.type == "IDAT" || chunk.type == "fdAT") {
            if (!inFrame) throw std::runtime_error(path + ": " + chunk.type + " without a preceding fcTL");
            size_t skip = 0;
            if (chunk.type == "fdAT") {
                if (chunk.body.size() < 4 || readBigEndian32(&chunk.body[0]) != expectedSequence++)
                    throw std::runtime_error(path + ": fdAT sequence number out of order");
                skip = 4;
            }
            frameData.insert(frameData.end(), chunk.body.begin() + long(skip), chunk.body.end());
        }
    }
    finishFrame();
    if (declaredFrames < 0) throw std::runtime_error(path + ": no acTL chunk (not an animated PNG)");
    if (declaredFrames != int(file.frames.size()))
        throw std::runtime_error(path + ": acTL declares " + std::to_string(declaredFrames) + " frames, the file has " +
                                 std::to_string(file.frames.size()));
    return file;
}

}  // namespace ddpm
