#pragma once
// What a user should hear about the prompts a text model is given, from its
// tokenizer alone (no forward pass): words it never saw, a prompt cut at the
// context and where, an empty prompt (the null condition: unconditional).
#include <string>
#include <vector>

#include "conditioning/WordTokenizer.h"
#include "models/ModelConfig.h"

namespace ddpm {

struct PromptNotes {
    std::vector<TokenizedPrompt> tokenized;   // one per prompt (none when every prompt is blank)
    std::vector<std::string> notes;           // one line each, each distinct prompt once
    size_t blank = 0;                         // prompts without a word
};

// Throws std::invalid_argument for a model without text or a prompt that is not UTF-8, and
// std::runtime_error naming a CLIP model's file that cannot be read (not for blank prompts,
// which need no tokenizer).
PromptNotes notePrompts(const ModelConfig& model, const std::vector<std::string>& prompts);

}  // namespace ddpm
