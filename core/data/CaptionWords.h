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

// For each class of a labelled, captioned dataset, a prompt that asks for it: the shortest
// training caption of the class (the most frequent among those, then the first
// alphabetically) that holds the word most specific to the class, the one with the
// largest share of its uses in that class ("a seven" for MNIST's sevens). Empty when the
// dataset has no labels or no captions; an empty prompt for a class without captions.
std::vector<std::string> classPrompts(const Dataset& dataset);

}  // namespace ddpm
