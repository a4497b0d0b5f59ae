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
// Whether LibTorch computes bf16 on this CPU with its fallback: LibTorch 1.x has oneDNN
// kernels for bf16 only with AVX-512 (BW, VL and DQ); without, a 3x3 convolution runs about
// 15x slower than in fp32 and products sum in bf16 (docs/benchmarks.md). LibTorch 2.x picks
// its kernels otherwise and is not judged here: false.
bool cpuBf16IsSlowFallback();
// What to tell a user who asks for `precision` on the CPU where that fallback would run;
// "" when there is nothing to say.
std::string precisionNote(Precision precision, bool onCpu);

}  // namespace ddpm
