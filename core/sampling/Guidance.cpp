#include "sampling/Guidance.h"

#include <torch/torch.h>

namespace ddpm {

torch::Tensor guidedOutput(Denoiser& model, const torch::Tensor& x, const torch::Tensor& t,
                           const Condition& condition, double guidance) {
    if (condition.empty() || guidance == 1.0) return model.forward(x, t, condition);
    const Conditioning conditioning = model.conditioning();
    if (guidance == 0.0) return model.forward(x, t, conditioning.null(x.size(0), x.device()));
    const auto both = model.forward(torch::cat({x, x}), torch::cat({t, t}), conditioning.withNull(condition));   // (2B,…)
    const auto halves = both.chunk(2, 0);   // conditional first, then null
    return halves[1] + guidance * (halves[0] - halves[1]);
}

}  // namespace ddpm
