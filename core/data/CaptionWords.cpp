#include "data/CaptionWords.h"

#include <algorithm>
#include <map>
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

std::vector<std::string> classPrompts(const Dataset& d) {
    if (!d.hasLabels() || d.captions.size() != size_t(d.count)) return {};
    const int K = d.numClasses();
    std::map<std::string, std::vector<int64_t>> uses;   // word -> captions using it, per class
    std::vector<std::map<std::string, int64_t>> captionsOf(static_cast<size_t>(K));
    for (int64_t i = 0; i < d.trainCount; ++i) {
        const int c = d.labels[size_t(i)];
        const std::string& caption = d.captions[size_t(i)];
        if (caption.empty()) continue;
        ++captionsOf[size_t(c)][caption];
        std::set<std::string> words;
        for (std::string& word : captionWords(caption)) words.insert(std::move(word));
        for (const std::string& word : words) {
            auto& perClass = uses[word];
            perClass.resize(size_t(K), 0);
            ++perClass[size_t(c)];
        }
    }
    std::vector<std::string> prompts(static_cast<size_t>(K));
    for (int c = 0; c < K; ++c) {
        // The word with the largest share of its uses in class c (ties: the most used in c).
        std::string best;
        double bestShare = 0;
        int64_t bestCount = 0;
        for (const auto& [word, perClass] : uses) {
            const int64_t inClass = perClass[size_t(c)];
            if (inClass == 0) continue;
            int64_t total = 0;
            for (int64_t n : perClass) total += n;
            const double share = double(inClass) / double(total);
            if (share > bestShare || (share == bestShare && inClass > bestCount)) {
                best = word;
                bestShare = share;
                bestCount = inClass;
            }
        }
        const std::string* chosen = nullptr;
        int64_t chosenCount = 0;
        for (const auto& [caption, count] : captionsOf[size_t(c)]) {   // alphabetical
            const auto words = captionWords(caption);
            if (std::find(words.begin(), words.end(), best) == words.end()) continue;
            if (!chosen || caption.size() < chosen->size() || (caption.size() == chosen->size() && count > chosenCount)) {
                chosen = &caption;
                chosenCount = count;
            }
        }
        if (chosen) prompts[size_t(c)] = *chosen;
    }
    return prompts;
}

}  // namespace ddpm
