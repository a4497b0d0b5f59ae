#pragma once
// Prompts as a text model reads them: the token ids and mask of its built-in
// encoder or the features of its frozen CLIP encoder, with what a user should
// hear about them (words the model never saw, a prompt cut at the context, the
// empty prompt); the vocabulary a run learns from its dataset's captions; and the
// training captions' conditions, each distinct caption encoded once.
#include <string>
#include <vector>

#include <torch/types.h>

#include "conditioning/Condition.h"
#include "models/ModelConfig.h"

namespace ddpm {

struct Dataset;

struct EncodedPrompts {
    Condition condition;             // (B,L) tokens or (B,L,D) features, and the mask, on the device; empty when every prompt is
    std::vector<std::string> notes;  // one line each: unknown words, truncation, an empty prompt
};

// prompts (B) -> their condition for `model`, a text model. An empty prompt is the null
// condition (unconditional). Throws std::invalid_argument for invalid UTF-8, for a model
// without text, and for a batch that mixes empty and non-empty prompts.
EncodedPrompts encodePrompts(const ModelConfig& model, const std::vector<std::string>& prompts, torch::Device device);

// The words of the training split's captions (items [0, trainCount)), for
// ModelConfig::useBuiltinText. Throws std::invalid_argument when the dataset has none.
std::vector<std::string> captionVocabulary(const Dataset& dataset);

// A run's captions, each distinct one encoded once (for CLIP, whose encoder is large
// and frozen, this is the cache that keeps it out of every training step).
struct CaptionConditions {
    Condition distinct;    // (K,L) tokens or (K,L,D) features, with the mask; L is cut to the longest caption
    torch::Tensor items;   // (N) int64: each item's row of `distinct`
    bool empty() const { return !items.defined(); }
    // index (B) int64 positions in `items` -> the (B,L…) condition of those items.
    Condition forItems(const torch::Tensor& index) const;
    CaptionConditions keep(const torch::Tensor& kept) const;   // items kept (N') int64 positions
    CaptionConditions to(torch::Device device) const;
};

// The captions of items [begin, end) of `dataset` as `model` reads them.
CaptionConditions captionConditions(const ModelConfig& model, const Dataset& dataset, int64_t begin, int64_t end);

}  // namespace ddpm
