#pragma once
// The built-in text encoder's tokenizer: one token per word (captionWords), with a
// vocabulary learned from a dataset's captions, so a model trained on "a thick seven"
// knows exactly the words its captions used and can say which words of a prompt it
// has never seen. Plain ids, no torch; the vocabulary travels with the model as text.
//
// Token ids: 0 padding, 1 unknown word, 2 start, 3 end, then the words, most frequent
// first (ties alphabetical), so the same captions always give the same ids.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace ddpm {

struct TokenizedPrompt {
    std::vector<int64_t> ids;           // start, words, end, then padding: `context` long
    std::vector<uint8_t> mask;          // 1 for start, words and end; 0 for padding
    std::vector<std::string> unknown;   // the prompt's words not in the vocabulary (as they map to id 1)
    size_t truncatedAt = 0;             // when truncated: the first word (0-based, as the tokenizer splits) that did not fit whole
    std::string cutWord;                // that word; empty when the whole prompt fit
    bool truncated() const { return !cutWord.empty(); }
};

class WordTokenizer {
public:
    static constexpr int64_t kPad = 0, kUnknown = 1, kStart = 2, kEnd = 3, kFirstWord = 4;

    // The words of `captions`, each kept when it occurs at least minCount times, the most
    // frequent first, at most maxWords of them.
    static WordTokenizer learn(const std::vector<std::string>& captions, size_t maxWords = 4096, size_t minCount = 1);
    // The vocabulary as toText() wrote it (one word per line, in id order from kFirstWord);
    // throws std::invalid_argument naming the (1-based) word of a malformed one.
    static WordTokenizer fromText(const std::string& text);
    // The vocabulary as a model's configuration lists it (words() of the tokenizer that made it).
    static WordTokenizer fromWords(const std::vector<std::string>& words);
    std::string toText() const;

    // `context` tokens (at least 3): start, the words, end, padding. Throws
    // std::invalid_argument for invalid UTF-8.
    TokenizedPrompt encode(const std::string& prompt, size_t context) const;

    size_t vocabularySize() const { return size_t(kFirstWord) + words_.size(); }   // ids 0 … size-1
    const std::vector<std::string>& words() const { return words_; }
    bool knows(const std::string& word) const { return ids_.count(word) > 0; }

private:
    explicit WordTokenizer(std::vector<std::string> words);

    std::vector<std::string> words_;                   // id kFirstWord + i
    std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace ddpm
