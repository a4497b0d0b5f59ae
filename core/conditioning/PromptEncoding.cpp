#include "conditioning/PromptEncoding.h"

#include <algorithm>
#include <stdexcept>

#include "conditioning/WordTokenizer.h"
#include "data/CaptionWords.h"
#include "data/Dataset.h"

namespace ddpm {

namespace {

// tokenized (N prompts) -> tokens (N,L) int64 and mask (N,L) bool on the CPU.
Condition toCondition(const std::vector<TokenizedPrompt>& tokenized, int64_t context) {
    const int64_t N = int64_t(tokenized.size());
    Condition c;
    c.tokens = torch::empty({N, context}, torch::kInt64);
    c.mask = torch::empty({N, context}, torch::kBool);
    auto ids = c.tokens.accessor<int64_t, 2>();
    auto mask = c.mask.accessor<bool, 2>();
    for (int64_t n = 0; n < N; ++n)
        for (int64_t i = 0; i < context; ++i) {
            ids[n][i] = tokenized[size_t(n)].ids[size_t(i)];
            mask[n][i] = tokenized[size_t(n)].mask[size_t(i)] != 0;
        }
    return c;
}

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
    return text;
}

}  // namespace

EncodedPrompts encodePrompts(const ModelConfig& model, const std::vector<std::string>& prompts, torch::Device device) {
    if (!model.text.enabled()) throw std::invalid_argument("this model takes no prompts (it was trained without text)");
    const WordTokenizer tokenizer = WordTokenizer::fromWords(model.text.words);
    EncodedPrompts out;
    std::vector<TokenizedPrompt> tokenized;
    std::vector<std::string> seen;
    size_t empty = 0;
    for (const std::string& prompt : prompts) {
        tokenized.push_back(tokenizer.encode(prompt, size_t(model.text.context)));
        const TokenizedPrompt& t = tokenized.back();
        const bool blank = std::count(t.mask.begin(), t.mask.end(), 1) == 2 && !t.truncated();
        empty += blank ? 1 : 0;
        if (std::find(seen.begin(), seen.end(), prompt) != seen.end()) continue;
        seen.push_back(prompt);
        if (blank) out.notes.push_back("an empty prompt: sampling unconditionally");
        if (!t.unknown.empty())
            out.notes.push_back("'" + prompt + "': the model never saw the word" + (t.unknown.size() > 1 ? "s " : " ") +
                                joined(t.unknown) + " (read as its unknown-word token)");
        if (t.truncated())
            out.notes.push_back("'" + prompt + "' is cut before its word " + std::to_string(t.truncatedAt + 1) + " ('" +
                                captionWords(prompt)[t.truncatedAt] + "'): the model reads " +
                                std::to_string(model.text.context - 2) + " words");
    }
    if (empty == prompts.size()) return out;   // the null condition: unconditional
    if (empty > 0) throw std::invalid_argument("a batch of prompts mixes empty and non-empty ones");
    out.condition = toCondition(tokenized, model.text.context).to(device);
    return out;
}

std::vector<std::string> captionVocabulary(const Dataset& d) {
    if (d.captions.empty()) throw std::invalid_argument(d.name + " has no captions to learn the words of prompts from");
    const std::vector<std::string> train(d.captions.begin(), d.captions.begin() + d.trainCount);
    const WordTokenizer tokenizer = WordTokenizer::learn(train);
    if (tokenizer.words().empty()) throw std::invalid_argument(d.name + ": the training captions have no words");
    return tokenizer.words();
}

Condition captionTokens(const ModelConfig& model, const Dataset& d, int64_t begin, int64_t end) {
    if (d.captions.size() != size_t(d.count)) throw std::invalid_argument(d.name + " has no captions for a text run");
    const WordTokenizer tokenizer = WordTokenizer::fromWords(model.text.words);
    std::vector<TokenizedPrompt> tokenized;
    for (int64_t i = begin; i < end; ++i) tokenized.push_back(tokenizer.encode(d.captions[size_t(i)], size_t(model.text.context)));
    return toCondition(tokenized, model.text.context);
}

}  // namespace ddpm
