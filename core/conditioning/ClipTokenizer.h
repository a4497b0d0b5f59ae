#pragma once
// CLIP's tokenizer (OpenAI's simple_tokenizer, as Hugging Face's CLIPTokenizer
// reads it from vocab.json and merges.txt): whitespace collapsed and the text
// lower-cased, split into words by CLIP's pattern (letters, single digits, runs of
// anything else, English contractions), each word's UTF-8 bytes spelled with
// GPT-2's byte alphabet and merged by byte-pair encoding with "</w>" ending the
// word, then the start token, the ids, the end token and padding to the context.
// Unlike the reference it does not run ftfy (which repairs mis-decoded text and
// NFC-normalises) or unescape HTML entities: a prompt typed as UTF-8 needs neither.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "conditioning/WordTokenizer.h"

namespace ddpm {

class ClipTokenizer {
public:
    // Reads FOLDER/vocab.json, FOLDER/merges.txt and the padding token of
    // special_tokens_map.json or tokenizer_config.json when present ("<|endoftext|>" otherwise).
    // Throws std::runtime_error naming the file and what is wrong with it.
    static ClipTokenizer fromFolder(const std::string& folder);
    // vocabulary: token -> id; merges in rank order; the tokens for start, end and padding must be in it.
    ClipTokenizer(std::unordered_map<std::string, int64_t> vocabulary,
                  const std::vector<std::pair<std::string, std::string>>& merges, const std::string& padToken);

    // The prompt cleaned, lower-cased and split into words (the units BPE merges within); none
    // for a prompt of whitespace. Throws std::invalid_argument for invalid UTF-8.
    static std::vector<std::string> words(const std::string& prompt);
    // One word's token ids (a special token's own id for "<|startoftext|>" and "<|endoftext|>").
    std::vector<int64_t> wordIds(const std::string& word) const;
    // The prompt's tokens as text, the first context - 2 of them (those encode() keeps between
    // start and end): a token that holds part of a character shows its bytes as \xNN.
    std::vector<std::string> tokenTexts(const std::string& prompt, size_t context) const;
    // `context` ids (at least 3): start, the prompt's tokens, end, padding; the mask is 1 from
    // start to end. A prompt cut at the context names the first word that lost tokens.
    TokenizedPrompt encode(const std::string& prompt, size_t context) const;

    // GPT-2's byte alphabet: byte b as the UTF-8 of the character BPE sees for it.
    static const std::vector<std::string>& byteSymbols();

    int64_t startId() const { return start_; }
    int64_t endId() const { return end_; }
    int64_t padId() const { return pad_; }
    int64_t largestId() const { return largest_; }

private:
    // A word's symbols after byte-pair merging, the last ending in "</w>" (a special token: itself).
    std::vector<std::string> wordSymbols(const std::string& word) const;

    std::unordered_map<std::string, int64_t> ids_;
    std::unordered_map<std::string, int> ranks_;   // "first second" -> merge rank
    int64_t start_ = 0, end_ = 0, pad_ = 0, largest_ = 0;
};

}  // namespace ddpm
