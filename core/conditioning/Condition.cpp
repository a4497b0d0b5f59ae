#include "conditioning/Condition.h"

#include <stdexcept>

namespace ddpm {

namespace {

// Applies `f` to each defined field of `c` (the same field of the result).
template <typename F>
Condition eachField(const Condition& c, F f) {
    Condition out;
    if (c.classes.defined()) out.classes = f(c.classes);
    if (c.tokens.defined()) out.tokens = f(c.tokens);
    if (c.features.defined()) out.features = f(c.features);
    if (c.mask.defined()) out.mask = f(c.mask);
    return out;
}

bool sameFields(const Condition& a, const Condition& b) {
    return a.classes.defined() == b.classes.defined() && a.tokens.defined() == b.tokens.defined() &&
           a.features.defined() == b.features.defined() && a.mask.defined() == b.mask.defined();
}

// drop (B) bool: where true, `replacement`'s item, else `c`'s.
torch::Tensor choose(const torch::Tensor& drop, const torch::Tensor& replacement, const torch::Tensor& kept) {
    auto where = drop;
    while (where.dim() < kept.dim()) where = where.unsqueeze(-1);
    return torch::where(where, replacement, kept);
}

}  // namespace

int64_t Condition::batch() const {
    if (classes.defined()) return classes.size(0);
    if (tokens.defined()) return tokens.size(0);
    if (features.defined()) return features.size(0);
    return 0;
}

Condition Condition::slice(int64_t begin, int64_t end) const {
    return eachField(*this, [&](const torch::Tensor& t) { return t.slice(0, begin, end); });
}

Condition Condition::to(torch::Device device) const {
    return eachField(*this, [&](const torch::Tensor& t) { return t.to(device); });
}

Condition Condition::expand(int64_t count) const {
    if (empty()) return *this;
    if (batch() != 1) throw std::invalid_argument("only a one-item condition can be repeated");
    return eachField(*this, [&](const torch::Tensor& t) {
        std::vector<int64_t> sizes = t.sizes().vec();
        sizes[0] = count;
        return t.expand(sizes).contiguous();
    });
}

Condition Condition::firstTokens(int64_t length) const {
    Condition c = *this;
    if (tokens.defined()) c.tokens = tokens.slice(1, 0, length);
    if (features.defined()) c.features = features.slice(1, 0, length);
    if (mask.defined()) c.mask = mask.slice(1, 0, length);
    return c;
}

Condition Condition::cat(const Condition& first, const Condition& second) {
    if (!sameFields(first, second)) throw std::invalid_argument("cannot join conditions of different kinds");
    Condition joined;
    if (first.classes.defined()) joined.classes = torch::cat({first.classes, second.classes});
    if (first.tokens.defined()) joined.tokens = torch::cat({first.tokens, second.tokens});
    if (first.features.defined()) joined.features = torch::cat({first.features, second.features});
    if (first.mask.defined()) joined.mask = torch::cat({first.mask, second.mask});
    return joined;
}

Conditioning::Conditioning(Condition emptyPrompt) : emptyPrompt_(std::move(emptyPrompt)) {
    if (emptyPrompt_.batch() != 1 || !emptyPrompt_.mask.defined() || emptyPrompt_.classes.defined())
        throw std::invalid_argument("a text model's null condition is one prompt's tokens or features with its mask");
}

Condition Conditioning::fromLabels(const torch::Tensor& labels) const {
    if (takesText()) throw std::invalid_argument("this model takes prompts, not classes");
    Condition c;
    if (conditional()) c.classes = labels.to(torch::kInt64);
    return c;
}

Condition Conditioning::null(int64_t batch, torch::Device device) const {
    if (takesText()) return emptyPrompt_.to(device).expand(batch);
    Condition c;
    if (conditional())
        c.classes = torch::full({batch}, numClasses_, torch::TensorOptions().dtype(torch::kInt64).device(device));
    return c;
}

Condition Conditioning::dropped(const Condition& condition, double p, at::Generator& generator) const {
    if (condition.empty() || p <= 0) return condition;
    const int64_t B = condition.batch();
    const torch::Device device = (condition.classes.defined() ? condition.classes : condition.mask).device();
    const auto drop = (torch::rand({B}, generator, torch::TensorOptions().dtype(torch::kFloat)) < p).to(device);   // (B) bool
    Condition nulls = null(B, device);
    // Captions cut to their longest (CaptionConditions): the empty prompt is padding there too.
    if (condition.mask.defined() && nulls.mask.size(1) > condition.mask.size(1)) nulls = nulls.firstTokens(condition.mask.size(1));
    Condition c;
    if (condition.classes.defined()) c.classes = choose(drop, nulls.classes, condition.classes);
    if (condition.tokens.defined()) c.tokens = choose(drop, nulls.tokens, condition.tokens);
    if (condition.features.defined()) c.features = choose(drop, nulls.features, condition.features);
    if (condition.mask.defined()) c.mask = choose(drop, nulls.mask, condition.mask);
    return c;
}

}  // namespace ddpm
