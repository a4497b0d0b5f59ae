#include "util/UnicodeText.h"

#include <algorithm>
#include <stdexcept>

namespace ddpm {

namespace {

struct CodeRange {
    char32_t first, last;
};
struct CodeMapping {
    char32_t from, to;
};

#include "util/UnicodeTables.inc"

template <size_t N>
bool inRanges(const CodeRange (&ranges)[N], char32_t c) {
    const auto* end = ranges + N;
    const auto* it = std::upper_bound(ranges, end, c, [](char32_t v, const CodeRange& r) { return v < r.first; });
    return it != ranges && c <= (it - 1)->last;
}

}  // namespace

std::u32string decodeUtf8(const std::string& text) {
    std::u32string out;
    out.reserve(text.size());
    const auto byteAt = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    for (size_t i = 0; i < text.size();) {
        const unsigned char lead = byteAt(i);
        size_t length = 1;
        char32_t c = lead, least = 0;
        if (lead >= 0xF0 && lead <= 0xF4) length = 4, c = lead & 0x07, least = 0x10000;
        else if (lead >= 0xE0 && lead <= 0xEF) length = 3, c = lead & 0x0F, least = 0x800;
        else if (lead >= 0xC2 && lead <= 0xDF) length = 2, c = lead & 0x1F, least = 0x80;
        else if (lead >= 0x80) throw std::invalid_argument("not UTF-8: byte " + std::to_string(i + 1));
        if (i + length > text.size()) throw std::invalid_argument("not UTF-8: byte " + std::to_string(i + 1) + " starts a cut character");
        for (size_t k = 1; k < length; ++k) {
            if ((byteAt(i + k) & 0xC0) != 0x80) throw std::invalid_argument("not UTF-8: byte " + std::to_string(i + k + 1));
            c = (c << 6) | (byteAt(i + k) & 0x3F);
        }
        if (c < least || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            throw std::invalid_argument("not UTF-8: byte " + std::to_string(i + 1) + " starts an invalid character");
        out.push_back(c);
        i += length;
    }
    return out;
}

std::string encodeUtf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
    return out;
}

std::string encodeUtf8(const std::u32string& text) {
    std::string out;
    for (char32_t c : text) out += encodeUtf8(c);
    return out;
}

bool isLetter(char32_t c) { return inRanges(kLetters, c); }
bool isNumber(char32_t c) { return inRanges(kNumbers, c); }
bool isWhitespace(char32_t c) { return inRanges(kSpaces, c); }

namespace {

// Σ at position i is word-final (ς) when a cased letter comes before it and none after,
// skipping case-ignorable characters both ways (Unicode's Final_Sigma, as Python applies it).
bool finalSigma(const std::u32string& text, size_t i) {
    size_t j = i;
    while (j > 0 && inRanges(kCaseIgnorable, text[j - 1])) --j;
    if (j == 0 || !inRanges(kCased, text[j - 1])) return false;
    j = i + 1;
    while (j < text.size() && inRanges(kCaseIgnorable, text[j])) ++j;
    return j == text.size() || !inRanges(kCased, text[j]);
}

}  // namespace

std::u32string lowerCase(const std::u32string& text) {
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == 0x130) {   // İ: its full lower case (SpecialCasing.txt) is i + combining dot above
            out += U"i\u0307";
            continue;
        }
        if (c == 0x3A3 && finalSigma(text, i)) {
            out.push_back(0x3C2);
            continue;
        }
        const auto* end = kLowerCase + sizeof(kLowerCase) / sizeof(kLowerCase[0]);
        const auto* it = std::lower_bound(kLowerCase, end, c, [](const CodeMapping& m, char32_t v) { return m.from < v; });
        out.push_back(it != end && it->from == c ? it->to : c);
    }
    return out;
}

}  // namespace ddpm
