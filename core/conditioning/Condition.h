#pragma once
// What a denoiser is conditioned on: one value for a whole batch, as
// stable-diffusion.cpp passes its SDCondition. Class ids, or a prompt as token
// ids (the built-in text encoder, trained with the model, turns them into
// features) or as a frozen encoder's token features, with the mask of its real
// tokens. The null condition, the condition dropout that trains
// classifier-free guidance and the cond/uncond pairing of a guided pass are
// written here once, for the trainer and every sampler.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace ddpm {

struct Condition {
    // (B) int64 in [0, numClasses], where numClasses is the null class.
    torch::Tensor classes;
    // (B,L) int64: a prompt's token ids, for a model that encodes them itself.
    torch::Tensor tokens;
    // (B,L,D) float: a prompt's token features from a frozen text encoder.
    torch::Tensor features;
    // (B,L) bool, with tokens or features: true for the prompt's real tokens, false for padding.
    torch::Tensor mask;

    // Undefined fields throughout: the unconditional prediction.
    bool empty() const { return !classes.defined() && !tokens.defined() && !features.defined(); }
    int64_t batch() const;   // B; 0 when empty
    Condition slice(int64_t begin, int64_t end) const;     // items [begin, end)
    Condition to(torch::Device device) const;
    Condition expand(int64_t batch) const;                  // a one-item condition repeated (B); empty stays empty
    Condition firstTokens(int64_t length) const;            // a prompt's first `length` positions (B,length…); classes unchanged
    static Condition cat(const Condition& first, const Condition& second);   // (B1+B2)
};

// The kind of condition a model takes, and what "no condition" is for it.
class Conditioning {
public:
    // Classes when numClasses > 0; unconditional otherwise.
    explicit Conditioning(int numClasses = 0) : numClasses_(numClasses) {}
    // Prompts, whose null condition is the empty prompt: one item of tokens or features, with its mask.
    explicit Conditioning(Condition emptyPrompt);
    bool conditional() const { return numClasses_ > 0 || takesText(); }
    bool takesText() const { return emptyPrompt_.mask.defined(); }
    int numClasses() const { return numClasses_; }

    // labels (B) int64 in [0, numClasses) -> their condition; empty for an unconditional model.
    Condition fromLabels(const torch::Tensor& labels) const;
    // The null condition for a batch of `batch` items on `device`.
    Condition null(int64_t batch, torch::Device device) const;
    // Each item replaced by the null condition with probability p, drawn (on the CPU) from `generator`:
    // trains the unconditional model that guidance subtracts.
    Condition dropped(const Condition& condition, double p, at::Generator& generator) const;

private:
    int numClasses_ = 0;
    Condition emptyPrompt_;   // text models: one item
};

}  // namespace ddpm
