#include "data/CaptionWords.h"

#include <algorithm>
#include <set>

namespace ddpm {

namespace {

bool isWordByte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80; }

}  // namespace

std::vector<std::string> captionWords(const std::string& caption) {
    std::vector<std::string> words;
    std::string word;
    for (size_t i = 0; i < caption.size(); ++i) {
        const auto c = static_cast<unsigned char>(caption[i]);
        const bool joiner = (c == '-' || c == '\'') && !word.empty() && i + 1 < caption.size() &&
                            isWordByte(static_cast<unsigned char>(caption[i + 1]));
        if (isWordByte(c) || joiner) {
            word += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : char(c);
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

CaptionSummary summarizeCaptions(const Dataset& d, size_t exampleCount) {
    CaptionSummary s;
    std::set<std::string> vocabulary;
    for (const std::string& caption : d.captions) {
        if (caption.empty()) continue;
        ++s.captioned;
        for (std::string& word : captionWords(caption)) vocabulary.insert(std::move(word));
    }
    s.vocabulary = vocabulary.size();
    // Examples from evenly spaced items, skipping repeats and empty captions.
    const size_t n = d.captions.size();
    for (size_t k = 0; k < n && s.examples.size() < exampleCount; ++k) {
        const std::string& caption = d.captions[(k * 7919) % n];
        if (!caption.empty() && std::find(s.examples.begin(), s.examples.end(), caption) == s.examples.end())
            s.examples.push_back(caption);
    }
    return s;
}

}  // namespace ddpm
