#include "conditioning/PromptEncoding.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "conditioning/ClipTextEncoder.h"
#include "conditioning/PromptNotes.h"
#include "conditioning/WordTokenizer.h"
#include "data/CaptionWords.h"
#include "data/Dataset.h"
#include "util/DisplayPath.h"

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

// prompts (N) -> their condition for `model` (on the CPU): tokens (N,context), or CLIP's
// features (N,P,D) up to the longest prompt's end (P ≤ context).
Condition encodeAll(const ModelConfig& model, const std::vector<std::string>& prompts) {
    if (model.text.usesClip()) {
        const auto encoder = ClipTextEncoder::open(model.text.clipFolder());
        const ClipTextConfig& clip = encoder->config();
        if (clip.width != model.text.width || clip.context < model.text.context)
            throw std::runtime_error(escapeNonUtf8(model.text.clipFolder()) + ": its CLIP text model is " + std::to_string(clip.width) +
                                     " wide with " + std::to_string(clip.context) + " positions, the run's was " +
                                     std::to_string(model.text.width) + " wide with " + std::to_string(model.text.context));
        const ClipEncoding e = encoder->encode(prompts, model.text.context, true);
        Condition c;
        c.features = e.hidden;                                 // (N,P,D), zero past each end token
        c.mask = e.mask.slice(1, 0, e.hidden.size(1));         // (N,P)
        return c;
    }
    const WordTokenizer tokenizer = WordTokenizer::fromWords(model.text.words);
    std::vector<TokenizedPrompt> tokenized;
    for (const std::string& prompt : prompts) tokenized.push_back(tokenizer.encode(prompt, size_t(model.text.context)));
    return toCondition(tokenized, model.text.context);
}

}  // namespace

EncodedPrompts encodePrompts(const ModelConfig& model, const std::vector<std::string>& prompts, torch::Device device) {
    PromptNotes noted = notePrompts(model, prompts);
    EncodedPrompts out;
    out.notes = std::move(noted.notes);
    const size_t empty = noted.blank;
    if (empty == prompts.size()) return out;   // the null condition: unconditional
    if (empty > 0) throw std::invalid_argument("a batch of prompts mixes empty and non-empty ones");
    const Condition condition = encodeAll(model, prompts);
    out.condition = condition;
    if (condition.features.defined() && condition.features.size(1) < model.text.context) {
        // Padding up to the context, as the empty prompt (the null condition it is joined with) has.
        const int64_t pad = model.text.context - condition.features.size(1);
        out.condition.features = torch::constant_pad_nd(condition.features, {0, 0, 0, pad});
        out.condition.mask = torch::constant_pad_nd(condition.mask, {0, pad}, 0);
    }
    out.condition = out.condition.to(device);
    return out;
}

std::vector<std::string> captionVocabulary(const Dataset& d) {
    if (d.captions.empty()) throw std::invalid_argument(d.name + " has no captions to learn the words of prompts from");
    const std::vector<std::string> train(d.captions.begin(), d.captions.begin() + d.trainCount);
    const WordTokenizer tokenizer = WordTokenizer::learn(train);
    if (tokenizer.words().empty()) throw std::invalid_argument(d.name + ": the training captions have no words");
    return tokenizer.words();
}

Condition CaptionConditions::forItems(const torch::Tensor& index) const {
    const torch::Tensor rows = items.index_select(0, index);   // (B)
    Condition c;
    if (distinct.tokens.defined()) c.tokens = distinct.tokens.index_select(0, rows);
    if (distinct.features.defined()) c.features = distinct.features.index_select(0, rows);
    c.mask = distinct.mask.index_select(0, rows);
    return c;
}

CaptionConditions CaptionConditions::keep(const torch::Tensor& kept) const { return {distinct, items.index_select(0, kept)}; }

CaptionConditions CaptionConditions::to(torch::Device device) const { return {distinct.to(device), items.to(device)}; }

CaptionConditions captionConditions(const ModelConfig& model, const Dataset& d, int64_t begin, int64_t end) {
    if (d.captions.size() != size_t(d.count)) throw std::invalid_argument(d.name + " has no captions for a text run");
    std::unordered_map<std::string, int64_t> row;
    std::vector<std::string> distinct;
    CaptionConditions out;
    out.items = torch::empty({end - begin}, torch::kInt64);
    auto items = out.items.accessor<int64_t, 1>();
    for (int64_t i = begin; i < end; ++i) {
        const std::string& caption = d.captions[size_t(i)];
        const auto [it, added] = row.emplace(caption, int64_t(distinct.size()));
        if (added) distinct.push_back(caption);
        items[i - begin] = it->second;
    }
    out.distinct = encodeAll(model, distinct);
    // Positions past the longest caption's end are padding in every row; the null condition is cut to match.
    const int64_t longest = distinct.empty() ? 2 : out.distinct.mask.sum(1).max().item<int64_t>();
    out.distinct = out.distinct.firstTokens(std::max<int64_t>(longest, 2));
    return out;
}

}  // namespace ddpm
