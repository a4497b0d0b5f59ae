#pragma once
// Unicode as the CLIP tokenizer's reference (Python) sees it, without ICU or
// std::regex (which has no \p{L}): UTF-8 to code points and back, the letter,
// number and whitespace classes, and Python's str.lower(). The tables come from
// the Unicode Character Database (UnicodeTables.inc, generated).
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

// Throws std::invalid_argument("... byte N") for text that is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF included).
std::u32string decodeUtf8(const std::string& text);
std::string encodeUtf8(const std::u32string& text);
std::string encodeUtf8(char32_t c);

bool isLetter(char32_t c);       // \p{L}
bool isNumber(char32_t c);       // \p{N}
bool isWhitespace(char32_t c);   // White_Space: the \s of Python's regex module (str.isspace adds U+001C…U+001F)
std::u32string lowerCase(const std::u32string& text);   // Python's str.lower (final sigma included)

}  // namespace ddpm
