#pragma once
// The words of a caption, as the built-in text encoder's vocabulary will count them:
// lower-cased runs of letters and digits (any non-ASCII UTF-8 character counts as a
// letter, so "café" and "東京" stay whole), with a hyphen or apostrophe inside a word
// kept ("t-shirt", "don't"); everything else separates words.
#include <cstdint>
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm {

std::vector<std::string> captionWords(const std::string& caption);

struct CaptionSummary {
    int64_t captioned = 0;               // items with a non-empty caption
    size_t vocabulary = 0;               // distinct words over all captions
    std::vector<std::string> examples;   // a few distinct captions, spread over the set
};
CaptionSummary summarizeCaptions(const Dataset& dataset, size_t exampleCount = 3);

}  // namespace ddpm
