#include "support/SafetensorsReader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>

namespace ddpm::test {

namespace {

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error("safetensors: " + why); }

size_t dtypeSize(const std::string& dtype) {
    static const std::map<std::string, size_t> sizes = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                                        {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};
    const auto it = sizes.find(dtype);
    if (it == sizes.end()) fail("unknown dtype '" + dtype + "'");
    return it->second;
}

// The JSON the header uses: objects, strings, arrays of whole numbers.
class HeaderParser {
public:
    explicit HeaderParser(const std::string& text) : s_(text) {}

    void object(const std::function<void(const std::string& key)>& member) {
        expect('{');
        if (peek() == '}') {
            ++i_;
            return;
        }
        for (;;) {
            const std::string key = string();
            expect(':');
            member(key);
            if (peek() == ',') {
                ++i_;
                continue;
            }
            expect('}');
            return;
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        while (i_ < s_.size() && s_[i_] != '"') {
            char c = s_[i_++];
            if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) break;
            c = s_[i_++];
            switch (c) {
                case '"': case '\\': case '/': out += c; break;
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u': {
                    if (i_ + 4 > s_.size()) fail("short \\u escape");
                    const unsigned code = std::stoul(s_.substr(i_, 4), nullptr, 16);
                    i_ += 4;
                    if (code >= 0x80) fail("\\u escape beyond ASCII (writers pass UTF-8 through)");
                    out += char(code);
                    break;
                }
                default: fail(std::string("bad escape \\") + c);
            }
        }
        expect('"');
        return out;
    }

    std::vector<int64_t> integers() {
        expect('[');
        std::vector<int64_t> out;
        while (peek() != ']') {
            if (!out.empty()) expect(',');
            skipSpace();
            const size_t start = i_;
            while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
            if (start == i_) fail("expected a whole number at byte " + std::to_string(start));
            out.push_back(std::stoll(s_.substr(start, i_ - start)));
        }
        ++i_;
        return out;
    }

    void end() {
        skipSpace();
        if (i_ != s_.size()) fail("text after the header object");
    }

private:
    void skipSpace() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    char peek() {
        skipSpace();
        if (i_ >= s_.size()) fail("header ends early");
        return s_[i_];
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "' at byte " + std::to_string(i_));
        ++i_;
    }

    const std::string& s_;
    size_t i_ = 0;
};

}  // namespace

SafetensorsContents readSafetensors(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path.string() + ": cannot open");
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.size() < 8) fail("shorter than the 8-byte header length");
    SafetensorsContents file;
    for (int b = 7; b >= 0; --b) file.headerLength = (file.headerLength << 8) | bytes[size_t(b)];
    if (file.headerLength > bytes.size() - 8) fail("header length beyond the end of the file");
    const std::string header(bytes.begin() + 8, bytes.begin() + 8 + std::ptrdiff_t(file.headerLength));
    file.data.assign(bytes.begin() + 8 + std::ptrdiff_t(file.headerLength), bytes.end());

    HeaderParser parser(header);
    parser.object([&](const std::string& key) {
        if (key == "__metadata__") {
            parser.object([&](const std::string& name) { file.metadata[name] = parser.string(); });
            return;
        }
        if (file.tensors.count(key)) fail("tensor '" + key + "' listed twice");
        SafetensorsEntry e;
        std::vector<int64_t> offsets;
        parser.object([&](const std::string& field) {
            if (field == "dtype") e.dtype = parser.string();
            else if (field == "shape") e.shape = parser.integers();
            else if (field == "data_offsets") offsets = parser.integers();
            else fail("tensor '" + key + "': unknown field '" + field + "'");
        });
        if (offsets.size() != 2 || offsets[0] > offsets[1]) fail("tensor '" + key + "': bad data_offsets");
        e.begin = uint64_t(offsets[0]);
        e.end = uint64_t(offsets[1]);
        uint64_t count = 1;
        for (const int64_t d : e.shape) count *= uint64_t(d);
        if (e.end - e.begin != count * dtypeSize(e.dtype))
            fail("tensor '" + key + "': " + std::to_string(e.end - e.begin) + " bytes for its dtype and shape");
        file.tensors[key] = e;
        file.order.push_back(key);
    });
    parser.end();

    std::sort(file.order.begin(), file.order.end(),
              [&](const std::string& a, const std::string& b) { return file.tensors[a].begin < file.tensors[b].begin; });
    uint64_t next = 0;
    for (const auto& name : file.order) {
        const SafetensorsEntry& e = file.tensors[name];
        if (e.begin != next) fail("tensor '" + name + "' starts at " + std::to_string(e.begin) + ", not at " +
                                  std::to_string(next) + " (gap or overlap)");
        next = e.end;
    }
    if (next != file.data.size())
        fail("the tensors cover " + std::to_string(next) + " of " + std::to_string(file.data.size()) + " data bytes");
    return file;
}

std::vector<float> floatValues(const SafetensorsContents& file, const std::string& name) {
    const auto it = file.tensors.find(name);
    if (it == file.tensors.end()) fail("no tensor '" + name + "'");
    if (it->second.dtype != "F32") fail("tensor '" + name + "' is " + it->second.dtype + ", not F32");
    std::vector<float> values((it->second.end - it->second.begin) / 4);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint8_t* p = file.data.data() + it->second.begin + 4 * i;
        const uint32_t bits = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
        std::memcpy(&values[i], &bits, 4);
    }
    return values;
}

}  // namespace ddpm::test
