#pragma once
// Classifier-free guidance (Ho & Salimans 2022): the conditional and the
// unconditional prediction at the same x_t, combined as
//   out = out_u + w · (out_c − out_u).
// w = 1 is the conditional model alone, w = 0 the unconditional one, w > 1
// pushes samples towards the condition.
#include <torch/types.h>

#include "conditioning/Condition.h"
#include "models/Denoiser.h"

namespace ddpm {

// x (B,…), t (B) -> (B,…): the model's output under `condition`, guided with scale w away
// from `negative` (a negative prompt; empty: the null condition, so out_u above).
// Without a condition or a negative one, or with w = 1, it costs one forward pass;
// otherwise the two halves share one batched pass of 2B.
torch::Tensor guidedOutput(Denoiser& model, const torch::Tensor& x, const torch::Tensor& t,
                           const Condition& condition, double guidance, const Condition& negative = {});

}  // namespace ddpm
