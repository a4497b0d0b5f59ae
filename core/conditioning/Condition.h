#pragma once
// What a denoiser is conditioned on: one value for a whole batch, as
// stable-diffusion.cpp passes its SDCondition. Class ids today; a token
// sequence with its mask for text prompts next. The null condition, the
// condition dropout that trains classifier-free guidance and the cond/uncond
// pairing of a guided pass are written here once, for the trainer and every
// sampler.
#include <cstdint>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace ddpm {

struct Condition {
    // (B) int64 in [0, numClasses], where numClasses is the null class; undefined: unconditional.
    torch::Tensor classes;

    bool empty() const { return !classes.defined(); }
    Condition slice(int64_t begin, int64_t end) const;     // items [begin, end)
    Condition to(torch::Device device) const;
    static Condition cat(const Condition& first, const Condition& second);   // (B1+B2)
};

// The kind of condition a model takes, and what "no condition" is for it.
class Conditioning {
public:
    explicit Conditioning(int numClasses = 0) : numClasses_(numClasses) {}
    bool conditional() const { return numClasses_ > 0; }
    int numClasses() const { return numClasses_; }

    // labels (B) int64 in [0, numClasses) -> their condition; empty for an unconditional model.
    Condition fromLabels(const torch::Tensor& labels) const;
    // The null condition for a batch of `batch` items on `device`.
    Condition null(int64_t batch, torch::Device device) const;
    // Each item replaced by the null condition with probability p, drawn (on the CPU) from `generator`:
    // trains the unconditional model that guidance subtracts.
    Condition dropped(const Condition& condition, double p, at::Generator& generator) const;
    // The batch followed by its null twin (2B): one pass computes both halves of a guided prediction.
    Condition withNull(const Condition& condition) const;

private:
    int numClasses_;
};

}  // namespace ddpm
