#pragma once
// Averages a model's gradients over the ranks of a DistributedGroup during the
// backward pass, as PyTorch's DDP does: the parameters are put into buckets in
// reverse order (the order backward produces their gradients; a small first
// bucket, then up to 25 MiB each), and each bucket's all-reduce starts as soon as
// its last gradient arrives, while backward goes on; finish() waits for the rest.
// Buckets start in the same order on every rank, as c10d requires. A parameter
// that got no gradient counts as zeros.
#include <cstddef>
#include <memory>
#include <vector>

#include <torch/types.h>

namespace ddpm {

class DistributedGroup;

class GradientAllReduce {
public:
    static constexpr size_t kFirstBucketBytes = size_t(1) << 20;
    static constexpr size_t kBucketBytes = size_t(25) << 20;

    // params: float tensors that require gradients (the model's), in module order.
    GradientAllReduce(DistributedGroup& group, std::vector<torch::Tensor> params);
    ~GradientAllReduce();   // removes its hooks
    GradientAllReduce(const GradientAllReduce&) = delete;
    GradientAllReduce& operator=(const GradientAllReduce&) = delete;

    void prepare();   // before each backward
    void finish();    // after it: every parameter's .grad holds the mean over the ranks

    size_t bucketCount() const;
    size_t bytes() const;   // the gradients' size: what each step all-reduces

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ddpm
