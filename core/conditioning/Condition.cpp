#include "conditioning/Condition.h"

#include <stdexcept>

namespace ddpm {

Condition Condition::slice(int64_t begin, int64_t end) const {
    Condition part;
    if (!empty()) part.classes = classes.slice(0, begin, end);
    return part;
}

Condition Condition::to(torch::Device device) const {
    Condition moved;
    if (!empty()) moved.classes = classes.to(device);
    return moved;
}

Condition Condition::cat(const Condition& first, const Condition& second) {
    if (first.empty() != second.empty()) throw std::invalid_argument("cannot join a condition with an empty one");
    Condition joined;
    if (!first.empty()) joined.classes = torch::cat({first.classes, second.classes});
    return joined;
}

Condition Conditioning::fromLabels(const torch::Tensor& labels) const {
    Condition c;
    if (conditional()) c.classes = labels.to(torch::kInt64);
    return c;
}

Condition Conditioning::null(int64_t batch, torch::Device device) const {
    Condition c;
    if (conditional())
        c.classes = torch::full({batch}, numClasses_, torch::TensorOptions().dtype(torch::kInt64).device(device));
    return c;
}

Condition Conditioning::dropped(const Condition& condition, double p, at::Generator& generator) const {
    if (condition.empty() || p <= 0) return condition;
    const int64_t B = condition.classes.size(0);
    const auto drop = (torch::rand({B}, generator, torch::TensorOptions().dtype(torch::kFloat)) < p)
                          .to(condition.classes.device());   // (B) bool
    Condition c;
    c.classes = torch::where(drop, null(B, condition.classes.device()).classes, condition.classes);
    return c;
}

Condition Conditioning::withNull(const Condition& condition) const {
    if (condition.empty()) return condition;
    return Condition::cat(condition, null(condition.classes.size(0), condition.classes.device()));
}

}  // namespace ddpm
