#include "image/PngChunks.h"

#include <algorithm>
#include <stdexcept>
#include <zlib.h>

namespace ddpm {

void appendBigEndian32(std::vector<uint8_t>& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(value >> shift));
}

void appendBigEndian16(std::vector<uint8_t>& out, uint16_t value) {
    out.push_back(uint8_t(value >> 8));
    out.push_back(uint8_t(value));
}

uint32_t readBigEndian32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

uint16_t readBigEndian16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }

void appendPngChunk(std::vector<uint8_t>& out, const std::string& type, const std::vector<uint8_t>& body) {
    appendBigEndian32(out, uint32_t(body.size()));
    const size_t typeAt = out.size();
    out.insert(out.end(), type.begin(), type.end());
    out.insert(out.end(), body.begin(), body.end());
    // The CRC covers the type and the body.
    appendBigEndian32(out, uint32_t(crc32(0, out.data() + typeAt, uInt(out.size() - typeAt))));
}

std::vector<uint8_t> pngTextBody(const std::string& key, const std::string& value) {
    std::vector<uint8_t> body(key.begin(), key.end());
    body.push_back(0);
    body.insert(body.end(), value.begin(), value.end());
    return body;
}

std::vector<uint8_t> pngInternationalTextBody(const std::string& key, const std::string& utf8) {
    std::vector<uint8_t> body(key.begin(), key.end());
    // NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL.
    body.insert(body.end(), {0, 0, 0, 0, 0});
    body.insert(body.end(), utf8.begin(), utf8.end());
    return body;
}

bool parsePngTextBody(const std::string& type, const std::string& body, std::string& key, std::string& value) {
    const size_t nul = body.find('\0');
    if (nul == std::string::npos) return false;
    key = body.substr(0, nul);
    if (type == "tEXt") {
        value = body.substr(nul + 1);
        return true;
    }
    if (type != "iTXt" || body.size() < nul + 3 || body[nul + 1] != 0) return false;   // compressed: not ours
    const size_t languageEnd = body.find('\0', nul + 3);
    const size_t translatedEnd = languageEnd == std::string::npos ? languageEnd : body.find('\0', languageEnd + 1);
    if (translatedEnd == std::string::npos) return false;
    value = body.substr(translatedEnd + 1);
    return true;
}

std::vector<PngChunk> readPngChunks(const std::vector<uint8_t>& bytes, const std::string& name, bool checkCrc) {
    if (bytes.size() < 8 || !std::equal(kPngSignature, kPngSignature + 8, bytes.begin()))
        throw std::runtime_error(name + ": not a PNG file");
    std::vector<PngChunk> chunks;
    for (size_t pos = 8; pos + 12 <= bytes.size();) {
        const uint32_t length = readBigEndian32(&bytes[pos]);
        if (pos + 12 + uint64_t(length) > bytes.size()) {
            if (checkCrc) throw std::runtime_error(name + ": truncated chunk at byte " + std::to_string(pos));
            break;
        }
        PngChunk chunk;
        chunk.type.assign(bytes.begin() + long(pos + 4), bytes.begin() + long(pos + 8));
        chunk.body.assign(bytes.begin() + long(pos + 8), bytes.begin() + long(pos + 8 + length));
        if (checkCrc) {
            const uint32_t stored = readBigEndian32(&bytes[pos + 8 + length]);
            if (uint32_t(crc32(0, &bytes[pos + 4], uInt(length + 4))) != stored)
                throw std::runtime_error(name + ": bad CRC in the " + chunk.type + " chunk at byte " + std::to_string(pos));
        }
        const bool end = chunk.type == "IEND";
        chunks.push_back(std::move(chunk));
        if (end) break;
        pos += 12 + length;
    }
    return chunks;
}

}  // namespace ddpm
