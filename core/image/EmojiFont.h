#pragma once
// A colour emoji font (Noto Color Emoji's bitmap glyphs) drawn without Qt:
// HarfBuzz turns a code-point sequence into the font's glyph for it (ZWJ
// sequences, skin tones, flags, keycaps), FreeType decodes the colour bitmap.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ddpm {

struct Rgb8 {
    uint8_t r = 255, g = 255, b = 255;
};

class EmojiFont {
public:
    // Throws DatasetError naming the file when it cannot be opened as a colour font.
    explicit EmojiFont(const std::string& path);
    ~EmojiFont();
    EmojiFont(const EmojiFont&) = delete;
    EmojiFont& operator=(const EmojiFont&) = delete;

    // "Noto Color Emoji 2.042": the family and the font's own revision (the head table).
    const std::string& version() const { return version_; }

    // The sequence drawn centred on `background`, scaled to size x size: RGB, HWC, uint8.
    // Returns false, leaving rgb untouched, when the font has no single glyph for the whole
    // sequence (it would show it as several pictures or not at all).
    bool render(const std::vector<char32_t>& codepoints, int size, Rgb8 background, std::vector<uint8_t>& rgb) const;

private:
    struct Faces;
    std::unique_ptr<Faces> faces_;
    std::string version_;
};

}  // namespace ddpm
