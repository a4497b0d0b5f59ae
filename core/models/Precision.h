#pragma once
// The arithmetic precision of training and sampling. No torch here: the GUI uses it.
#include <string>

namespace ddpm {

enum class Precision { Fp32, Bf16, Fp16 };
std::string toString(Precision precision);
Precision precisionFromString(const std::string& name);   // "fp32", "bf16", "fp16"
// What training and sampling use unless told otherwise: bf16 where this CPU
// multiplies bf16 natively (AVX512-BF16): there bf16 trains and samples faster
// than fp32 with the same FID (docs/results.md). fp32 elsewhere.
Precision defaultPrecision();

}  // namespace ddpm
