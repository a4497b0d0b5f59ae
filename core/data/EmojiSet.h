#pragma once
// The built-in `emoji` set: every fully-qualified emoji of Unicode's list drawn
// from Noto Color Emoji at 32 or 64 px, RGB, with its group (or subgroup) as the
// class and its name as the caption. Rendered once into the user's cache folder
// (a PNG per emoji plus an index), keyed by the font's and the list's versions.
//
// Names: "emoji" (9 group classes, white background), "emoji:subgroups" (one class
// per subgroup), "emoji:bg=RRGGBB" (another background), combinable with ':'.
#include <string>

#include "data/Dataset.h"
#include "data/DatasetLoader.h"
#include "image/EmojiFont.h"

namespace ddpm {

struct EmojiSetOptions {
    bool subgroups = false;   // classes: the 100-odd subgroups instead of the 9 groups
    Rgb8 background;          // white
    int resolution = 64;      // 32 or 64
};

bool isEmojiSetName(const std::string& name);
// Throws DatasetError naming the spec for an unknown part or a bad colour.
EmojiSetOptions parseEmojiSetName(const std::string& name);

// Where the packages put the sources; $DDPM_EMOJI_FONT and $DDPM_EMOJI_LIST override.
std::string emojiFontPath();
std::string emojiListPath();
bool emojiSetAvailable();

// Renders (or reads from the cache) and labels the set. Throws DatasetError naming
// the missing package's file, and Cancelled when progress returns false.
Dataset loadEmojiSet(const std::string& name, const LoadOptions& options);

// Renders the list into `folder` (created; it must not exist): images/NNNN.png,
// index.tsv and skipped.tsv. What loadEmojiSet does on a cache miss.
void renderEmojiSet(const std::string& fontPath, const std::string& listPath, int resolution, Rgb8 background,
                    const std::string& folder, const LoadOptions& options);

// Reads a rendered folder and labels it: every tenth emoji held out, the names as
// captions. No font needed. Throws DatasetError naming the bad file and row.
Dataset readEmojiSetFolder(const std::string& folder, const EmojiSetOptions& options);

}  // namespace ddpm
