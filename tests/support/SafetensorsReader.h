#pragma once
// An independent safetensors reader for the tests: its own byte decoding and a
// hand-written parser for the JSON subset the format uses, so a writer bug is
// not mirrored by a shared library. Strict: every rule it checks throws.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ddpm::test {

struct SafetensorsEntry {
    std::string dtype;            // "F32", "I64", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;  // byte range in the data buffer
};

struct SafetensorsContents {
    uint64_t headerLength = 0;
    std::map<std::string, SafetensorsEntry> tensors;
    std::map<std::string, std::string> metadata;   // "__metadata__"
    std::vector<uint8_t> data;                     // everything after the header
    std::vector<std::string> order;                // tensor names by their offsets
};

// Throws std::runtime_error saying which rule the file breaks: header length
// beyond the file, malformed JSON, unknown dtype, a byte range that does not
// match dtype x shape, overlaps, gaps, or bytes not covered by any tensor.
SafetensorsContents readSafetensors(const std::filesystem::path& path);

// The values of an F32 tensor, decoded from little-endian bytes.
std::vector<float> floatValues(const SafetensorsContents& file, const std::string& name);

}  // namespace ddpm::test
