#include "sampling/Guidance.h"

#include <torch/torch.h>

namespace ddpm {

torch::Tensor guidedOutput(Denoiser& model, const torch::Tensor& x, const torch::Tensor& t,
                           const Condition& condition, double guidance, const Condition& negative) {
    if (guidance == 1.0 || (condition.empty() && negative.empty())) return model.forward(x, t, condition);
    const Conditioning conditioning = model.conditioning();
    const int64_t B = x.size(0);
    const Condition toward = condition.empty() ? conditioning.null(B, x.device()) : condition;
    const Condition away = negative.empty() ? conditioning.null(B, x.device()) : negative;
    if (guidance == 0.0) return model.forward(x, t, away);
    const auto both = model.forward(torch::cat({x, x}), torch::cat({t, t}), Condition::cat(toward, away));   // (2B,…)
    const auto halves = both.chunk(2, 0);   // toward first, then away
    return halves[1] + guidance * (halves[0] - halves[1]);
}

}  // namespace ddpm
