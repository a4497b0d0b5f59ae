#pragma once
// The chunk layer of the PNG format (length, type, body, CRC-32), shared by the
// still-image writer (text chunks) and the animated-PNG writer and reader.
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

inline constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

struct PngChunk {
    std::string type;            // four letters: "IHDR", "tEXt", "fcTL", ...
    std::vector<uint8_t> body;   // without length, type and CRC
};

void appendBigEndian32(std::vector<uint8_t>& out, uint32_t value);
void appendBigEndian16(std::vector<uint8_t>& out, uint16_t value);
uint32_t readBigEndian32(const uint8_t* p);
uint16_t readBigEndian16(const uint8_t* p);

// Appends one complete chunk (length, type, body, CRC) to `out`.
void appendPngChunk(std::vector<uint8_t>& out, const std::string& type, const std::vector<uint8_t>& body);
// A tEXt chunk's body: keyword, NUL, text.
std::vector<uint8_t> pngTextBody(const std::string& key, const std::string& value);
// An iTXt chunk's body for UTF-8 text (a prompt): keyword, NUL, uncompressed, no language.
std::vector<uint8_t> pngInternationalTextBody(const std::string& key, const std::string& utf8);
// The keyword and text of a tEXt or an uncompressed iTXt body; false for anything else.
bool parsePngTextBody(const std::string& type, const std::string& body, std::string& key, std::string& value);

// The chunks of a PNG byte stream, up to IEND. Throws std::runtime_error starting with
// `name` when the signature is wrong; with checkCrc, also on a truncated stream or a bad CRC.
std::vector<PngChunk> readPngChunks(const std::vector<uint8_t>& bytes, const std::string& name, bool checkCrc);

}  // namespace ddpm
