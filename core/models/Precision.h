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
// Whether LibTorch computes bf16 on this CPU through oneDNN (AVX-512 with BW, VL and DQ).
// Elsewhere its bf16 is a fallback: a 3x3 convolution about 15x slower than in fp32, with
// products summed in bf16 (docs/benchmarks.md).
bool cpuComputesBf16Fast();
// What to tell a user who asks for `precision` on the CPU where that fallback would run;
// "" when there is nothing to say.
std::string precisionNote(Precision precision, bool onCpu);

}  // namespace ddpm
