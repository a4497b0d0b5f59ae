#pragma once
// Unicode's emoji-test.txt (Debian's unicode-data): every emoji sequence with its
// status, group, subgroup and name. Only the fully-qualified ones are read; they are
// what a keyboard offers and what the font draws.
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

struct EmojiEntry {
    std::vector<char32_t> codepoints;   // e.g. {0x1F469, 0x200D, 0x1F4BB}
    std::string group;                  // "Smileys & Emotion"
    std::string subgroup;               // "face-smiling"
    std::string name;                   // "grinning face"
};

struct EmojiTestFile {
    std::string version;                // "15.0", from the "# Version:" line
    std::vector<EmojiEntry> entries;    // fully-qualified only, in the file's (CLDR) order
};

// Throws DatasetError naming the file and line for a malformed data line.
EmojiTestFile readEmojiTestFile(const std::string& path);

// "1F469 200D 1F4BB": the form the file and the skipped-sequence report use.
std::string codepointsText(const std::vector<char32_t>& codepoints);

}  // namespace ddpm
