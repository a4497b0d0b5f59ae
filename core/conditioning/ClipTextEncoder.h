#pragma once
// A frozen CLIP text encoder from a Hugging Face folder (config.json,
// model.safetensors, vocab.json, merges.txt): its tokenizer and text model,
// loaded once per folder and process (again when its files change) and shared by
// the trainer, the samplers and `ddpm encode-text`. Never trained, so nothing of it goes into a checkpoint
// beyond the folder's path and the empty prompt's features (the null condition).
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "conditioning/ClipTextModel.h"
#include "conditioning/ClipTokenizer.h"

namespace ddpm {

struct ClipEncoding {
    torch::Tensor ids;       // (N,L) int64: start, tokens, end, padding
    torch::Tensor mask;      // (N,L) bool: start to end
    // (N,P,width) float: the last hidden state, at every position (P = L) or, with realTokensOnly,
    // up to the longest prompt's end token (P ≤ L; zero past each prompt's end).
    torch::Tensor hidden;
    torch::Tensor pooled;    // (N,projection) or (N,width): the end token's feature, projected when the model can
    std::vector<TokenizedPrompt> tokenized;   // for notes (a prompt cut at the context)
};

class ClipTextEncoder {
public:
    // The encoder of `folder`, loaded on first use and kept: the last two folders opened stay
    // loaded while their files are unchanged. Throws std::runtime_error naming the file at fault.
    static std::shared_ptr<const ClipTextEncoder> open(const std::string& folder);
    // The same, read now and not kept (tests and fuzzing, which change the files in place).
    static std::shared_ptr<const ClipTextEncoder> load(const std::string& folder);

    // prompts (N), context ≤ config().context -> their encoding on the CPU (in batches; no gradients).
    // With realTokensOnly the model runs only as far as each batch's longest prompt: the causal
    // mask makes those positions' features those of a run over the whole context (up to float
    // rounding), at a fraction of the cost. Throws std::invalid_argument for a prompt that is
    // not UTF-8, or when the features would take more than 8 GB.
    ClipEncoding encode(const std::vector<std::string>& prompts, int64_t context, bool realTokensOnly = false) const;

    const ClipTextConfig& config() const { return model_->config(); }
    const ClipTokenizer& tokenizer() const { return tokenizer_; }

    ClipTextEncoder(ClipTokenizer tokenizer, ClipTextModel model);

private:
    ClipTokenizer tokenizer_;
    ClipTextModel model_;
};

}  // namespace ddpm
