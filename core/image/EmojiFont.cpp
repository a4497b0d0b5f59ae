#include "image/EmojiFont.h"

#include <algorithm>
#include <cstdio>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <hb-ft.h>
#include <hb.h>
#include <opencv2/imgproc.hpp>

#include "data/DatasetError.h"
#include "util/DisplayPath.h"

namespace ddpm {

struct EmojiFont::Faces {
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    hb_font_t* font = nullptr;
    hb_buffer_t* buffer = nullptr;

    ~Faces() {
        if (buffer) hb_buffer_destroy(buffer);
        if (font) hb_font_destroy(font);
        if (face) FT_Done_Face(face);
        if (library) FT_Done_FreeType(library);
    }
};

EmojiFont::EmojiFont(const std::string& path) : faces_(std::make_unique<Faces>()) {
    const std::string shown = displayPath(path);
    if (FT_Init_FreeType(&faces_->library)) throw DatasetError(shown, "FreeType could not start");
    if (FT_New_Face(faces_->library, path.c_str(), 0, &faces_->face))
        throw DatasetError(shown, "cannot open the emoji font (apt-get install fonts-noto-color-emoji)");
    FT_Face face = faces_->face;
    if (!FT_HAS_COLOR(face)) throw DatasetError(shown, "not a colour font: it has no colour glyphs");
    // Bitmap fonts come in fixed strikes: take the largest. Outline colour fonts scale to 128 px.
    if (face->num_fixed_sizes > 0) {
        int best = 0;
        for (int i = 1; i < face->num_fixed_sizes; ++i)
            if (face->available_sizes[i].y_ppem > face->available_sizes[best].y_ppem) best = i;
        if (FT_Select_Size(face, best)) throw DatasetError(shown, "cannot select the font's bitmap size");
    } else if (FT_Set_Pixel_Sizes(face, 0, 128)) {
        throw DatasetError(shown, "cannot scale the font");
    }
    faces_->font = hb_ft_font_create_referenced(face);
    faces_->buffer = hb_buffer_create();

    char revision[32] = "";
    if (const auto* head = static_cast<const TT_Header*>(FT_Get_Sfnt_Table(face, FT_SFNT_HEAD)))
        std::snprintf(revision, sizeof revision, " %.3f", double(head->Font_Revision) / 65536.0);
    version_ = std::string(face->family_name ? face->family_name : "unnamed font") + revision;
}

EmojiFont::~EmojiFont() = default;

bool EmojiFont::render(const std::vector<char32_t>& codepoints, int size, Rgb8 background,
                       std::vector<uint8_t>& rgb) const {
    hb_buffer_t* buffer = faces_->buffer;
    hb_buffer_reset(buffer);
    // ZWJ and variation selectors are default-ignorable: removed, a sequence the font
    // ligates is one glyph and one it does not is several.
    hb_buffer_set_flags(buffer, HB_BUFFER_FLAG_REMOVE_DEFAULT_IGNORABLES);
    std::vector<uint32_t> text(codepoints.begin(), codepoints.end());
    hb_buffer_add_utf32(buffer, text.data(), int(text.size()), 0, int(text.size()));
    hb_buffer_guess_segment_properties(buffer);
    hb_shape(faces_->font, buffer, nullptr, 0);
    unsigned glyphCount = 0;
    const hb_glyph_info_t* glyphs = hb_buffer_get_glyph_infos(buffer, &glyphCount);
    if (glyphCount != 1 || glyphs[0].codepoint == 0) return false;

    FT_Face face = faces_->face;
    if (FT_Load_Glyph(face, glyphs[0].codepoint, FT_LOAD_COLOR)) return false;
    if (face->glyph->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL))
        return false;
    const FT_Bitmap& bitmap = face->glyph->bitmap;
    const int w = int(bitmap.width), h = int(bitmap.rows);
    if (w <= 0 || h <= 0) return false;

    // Composite over the background on a square canvas, the glyph centred: premultiplied
    // BGRA (colour glyphs) or an 8-bit coverage mask drawn in black.
    const int side = std::max(w, h), x0 = (side - w) / 2, y0 = (side - h) / 2;
    cv::Mat canvas(side, side, CV_8UC3, cv::Scalar(background.r, background.g, background.b));
    for (int y = 0; y < h; ++y) {
        const uint8_t* row = bitmap.buffer + ptrdiff_t(y) * bitmap.pitch;
        auto* out = canvas.ptr<uint8_t>(y0 + y) + 3 * x0;
        for (int x = 0; x < w; ++x, out += 3) {
            int r = 0, g = 0, b = 0, a;
            if (bitmap.pixel_mode == FT_PIXEL_MODE_BGRA) {
                b = row[4 * x], g = row[4 * x + 1], r = row[4 * x + 2], a = row[4 * x + 3];
            } else if (bitmap.pixel_mode == FT_PIXEL_MODE_GRAY) {
                a = row[x];
            } else {
                return false;
            }
            out[0] = uint8_t(r + (out[0] * (255 - a) + 127) / 255);
            out[1] = uint8_t(g + (out[1] * (255 - a) + 127) / 255);
            out[2] = uint8_t(b + (out[2] * (255 - a) + 127) / 255);
        }
    }
    cv::Mat scaled;
    cv::resize(canvas, scaled, cv::Size(size, size), 0, 0, size < side ? cv::INTER_AREA : cv::INTER_CUBIC);
    rgb.assign(scaled.data, scaled.data + size_t(size) * size * 3);
    return true;
}

}  // namespace ddpm
