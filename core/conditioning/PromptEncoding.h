#pragma once
// Prompts as a text model reads them: the token ids and mask of its built-in
// encoder, with what a user should hear about them (words the model never saw,
// a prompt cut at the context, the empty prompt), and the vocabulary a run
// learns from its dataset's captions.
#include <string>
#include <vector>

#include <torch/types.h>

#include "conditioning/Condition.h"
#include "models/ModelConfig.h"

namespace ddpm {

struct Dataset;

struct EncodedPrompts {
    Condition condition;             // (B,L) tokens and mask on the device; empty when every prompt is
    std::vector<std::string> notes;  // one line each: unknown words, truncation, an empty prompt
};

// prompts (B) -> their condition for `model`, a text model. An empty prompt is the null
// condition (unconditional). Throws std::invalid_argument for invalid UTF-8, for a model
// without text, and for a batch that mixes empty and non-empty prompts.
EncodedPrompts encodePrompts(const ModelConfig& model, const std::vector<std::string>& prompts, torch::Device device);

// The words of the training split's captions (items [0, trainCount)), for
// ModelConfig::useBuiltinText. Throws std::invalid_argument when the dataset has none.
std::vector<std::string> captionVocabulary(const Dataset& dataset);

// The tokens and mask (N,L) of every caption of items [begin, end), for training.
Condition captionTokens(const ModelConfig& model, const Dataset& dataset, int64_t begin, int64_t end);

}  // namespace ddpm
