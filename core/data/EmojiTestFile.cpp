#include "data/EmojiTestFile.h"

#include <cstdio>
#include <fstream>

#include "data/DatasetError.h"
#include "util/DisplayPath.h"

namespace ddpm {

namespace {

std::string trimmed(const std::string& s) {
    const size_t begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return {};
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

// "1F469 200D 1F4BB" -> code points; an empty result means the field was malformed.
std::vector<char32_t> parseCodepoints(const std::string& field) {
    std::vector<char32_t> out;
    size_t i = 0;
    while (i < field.size()) {
        if (field[i] == ' ') { ++i; continue; }
        uint32_t value = 0;
        size_t digits = 0;
        for (; i < field.size() && field[i] != ' '; ++i, ++digits) {
            const char c = field[i];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0 || digits >= 6) return {};
            value = value * 16 + uint32_t(d);
        }
        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
        out.push_back(char32_t(value));
    }
    return out;
}

}  // namespace

std::string codepointsText(const std::vector<char32_t>& codepoints) {
    std::string out;
    char hex[16];
    for (char32_t c : codepoints) {
        std::snprintf(hex, sizeof hex, "%s%04X", out.empty() ? "" : " ", unsigned(c));
        out += hex;
    }
    return out;
}

EmojiTestFile readEmojiTestFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw DatasetError(displayPath(path), "cannot open the emoji list (apt-get install unicode-data)");
    EmojiTestFile file;
    std::string line, group, subgroup;
    int lineNumber = 0;
    auto fail = [&](const std::string& reason) {
        throw DatasetError(displayPath(path), "line " + std::to_string(lineNumber) + ": " + reason);
    };
    while (std::getline(in, line)) {
        ++lineNumber;
        if (line.rfind("# group:", 0) == 0) { group = trimmed(line.substr(8)); subgroup.clear(); continue; }
        if (line.rfind("# subgroup:", 0) == 0) { subgroup = trimmed(line.substr(11)); continue; }
        if (line.rfind("# Version:", 0) == 0) { file.version = trimmed(line.substr(10)); continue; }
        if (trimmed(line).empty() || line[0] == '#') continue;

        // 1F600   ; fully-qualified     # 😀 E1.0 grinning face
        const size_t semicolon = line.find(';'), hash = line.find('#');
        if (semicolon == std::string::npos || hash == std::string::npos || hash < semicolon)
            fail("expected \"CODE POINTS ; STATUS # EMOJI VERSION NAME\"");
        if (trimmed(line.substr(semicolon + 1, hash - semicolon - 1)) != "fully-qualified") continue;
        EmojiEntry entry;
        entry.codepoints = parseCodepoints(trimmed(line.substr(0, semicolon)));
        if (entry.codepoints.empty()) fail("malformed code points");
        if (group.empty() || subgroup.empty()) fail("an emoji before any \"# group:\" and \"# subgroup:\" line");
        // The comment is "EMOJI E<version> name": the name follows the version token.
        const std::string comment = trimmed(line.substr(hash + 1));
        const size_t version = comment.find(" E");
        const size_t nameStart = version == std::string::npos ? std::string::npos : comment.find(' ', version + 2);
        if (nameStart == std::string::npos) fail("no name after the emoji version");
        entry.name = trimmed(comment.substr(nameStart));
        if (entry.name.empty()) fail("empty name");
        entry.group = group;
        entry.subgroup = subgroup;
        file.entries.push_back(std::move(entry));
    }
    if (in.bad()) throw DatasetError(displayPath(path), "read error");
    if (file.entries.empty()) throw DatasetError(displayPath(path), "no fully-qualified emoji in the file");
    return file;
}

}  // namespace ddpm
