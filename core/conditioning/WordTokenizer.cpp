#include "conditioning/WordTokenizer.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "data/CaptionWords.h"
#include "util/DisplayPath.h"

namespace ddpm {

WordTokenizer::WordTokenizer(std::vector<std::string> words) : words_(std::move(words)) {
    for (size_t i = 0; i < words_.size(); ++i) ids_.emplace(words_[i], kFirstWord + int64_t(i));
}

WordTokenizer WordTokenizer::learn(const std::vector<std::string>& captions, size_t maxWords, size_t minCount) {
    std::map<std::string, size_t> counts;
    for (const std::string& caption : captions)
        for (std::string& word : captionWords(caption)) ++counts[std::move(word)];
    std::vector<std::pair<std::string, size_t>> ranked;
    for (auto& [word, count] : counts)
        if (count >= minCount) ranked.emplace_back(word, count);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (ranked.size() > maxWords) ranked.resize(maxWords);
    std::vector<std::string> words;
    for (auto& entry : ranked) words.push_back(std::move(entry.first));
    return WordTokenizer(std::move(words));
}

WordTokenizer WordTokenizer::fromText(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) words.push_back(line);
    return fromWords(words);
}

WordTokenizer WordTokenizer::fromWords(const std::vector<std::string>& words) {
    for (size_t i = 0; i < words.size(); ++i) {
        const auto parsed = captionWords(words[i]);
        if (!isValidUtf8(words[i]) || parsed.size() != 1 || parsed.front() != words[i])
            throw std::invalid_argument("vocabulary word " + std::to_string(i + 1) + " is not one lower-case word: '" +
                                        escapeNonUtf8(words[i]) + "'");
    }
    WordTokenizer tokenizer(words);
    if (tokenizer.ids_.size() != tokenizer.words_.size()) throw std::invalid_argument("the vocabulary repeats a word");
    return tokenizer;
}

std::string WordTokenizer::toText() const {
    std::string text;
    for (const std::string& word : words_) text += word + "\n";
    return text;
}

TokenizedPrompt WordTokenizer::encode(const std::string& prompt, size_t context) const {
    if (context < 3) throw std::invalid_argument("a context of " + std::to_string(context) + " tokens cannot hold a prompt");
    if (!isValidUtf8(prompt)) throw std::invalid_argument("the prompt is not valid UTF-8: '" + escapeNonUtf8(prompt) + "'");
    TokenizedPrompt t;
    t.ids.push_back(kStart);
    const std::vector<std::string> words = captionWords(prompt);
    for (size_t i = 0; i < words.size(); ++i) {
        if (t.ids.size() == context - 1) {
            t.truncatedAt = i;
            t.cutWord = words[i];
            break;
        }
        const auto found = ids_.find(words[i]);
        if (found == ids_.end() && std::find(t.unknown.begin(), t.unknown.end(), words[i]) == t.unknown.end())
            t.unknown.push_back(words[i]);
        t.ids.push_back(found == ids_.end() ? kUnknown : found->second);
    }
    t.ids.push_back(kEnd);
    t.mask.assign(t.ids.size(), 1);
    t.ids.resize(context, kPad);
    t.mask.resize(context, 0);
    return t;
}

}  // namespace ddpm
