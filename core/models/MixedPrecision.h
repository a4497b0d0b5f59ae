#pragma once
// Mixed precision without autocast: convolutions and linear layers run in the
// thread's compute dtype (bf16 or fp16) from fp32 master weights, while norms,
// residual sums and the loss stay fp32. (LibTorch 1.13's CPU autocast breaks on
// GroupNorm with mixed dtypes; doing it here works the same on every version.)
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace ddpm {

// Sets the calling thread's compute dtype for its lifetime (nests).
class ComputeDtypeGuard {
public:
    explicit ComputeDtypeGuard(torch::ScalarType dtype);
    ~ComputeDtypeGuard();
    ComputeDtypeGuard(const ComputeDtypeGuard&) = delete;
    ComputeDtypeGuard& operator=(const ComputeDtypeGuard&) = delete;

private:
    torch::ScalarType previous_;
};
torch::ScalarType computeDtype();   // kFloat unless a guard is active

// Layer calls that honour the compute dtype; results are fp32.
torch::Tensor conv(torch::nn::Conv2d& layer, const torch::Tensor& x);
torch::Tensor linear(torch::nn::Linear& layer, const torch::Tensor& x);
// Batched matrix product in the compute dtype (attention); result fp32.
torch::Tensor bmm(const torch::Tensor& a, const torch::Tensor& b);

// Counts the multiply-adds of the conv, linear and bmm calls above that the
// calling thread makes while it lives (the benchmark's GFLOP/s figures).
class MultiplyAddCounter {
public:
    MultiplyAddCounter();
    ~MultiplyAddCounter();
    MultiplyAddCounter(const MultiplyAddCounter&) = delete;
    MultiplyAddCounter& operator=(const MultiplyAddCounter&) = delete;
    int64_t count() const { return count_; }
    void add(int64_t multiplyAdds) { count_ += multiplyAdds; }

private:
    int64_t count_ = 0;
    MultiplyAddCounter* previous_;
};

}  // namespace ddpm
