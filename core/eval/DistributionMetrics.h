#pragma once
// Distances between two sets of feature vectors: the Fréchet distance of their
// Gaussian fits (FID when the features are Inception's) and the kernel
// distance KID, unbiased and sound for small sample counts. All in double.
#include <cstdint>

#include <torch/types.h>

namespace ddpm {

struct GaussianStats {
    torch::Tensor mean;         // (D) float64
    torch::Tensor covariance;   // (D,D) float64, unbiased (divides by N-1)
    int64_t count = 0;
};

// features (N,D), N >= 2 -> their mean and covariance.
GaussianStats gaussianStats(const torch::Tensor& features);

// Square root of a symmetric positive semi-definite matrix (D,D), through its
// eigendecomposition in float64; negative round-off eigenvalues count as 0.
torch::Tensor symmetricSqrt(const torch::Tensor& m);

// |μa − μb|² + tr(Σa) + tr(Σb) − 2 tr((Σa^½ Σb Σa^½)^½).
double frechetDistance(const GaussianStats& a, const GaussianStats& b);

struct KidResult {
    double mean = 0, std = 0;   // of the unbiased MMD² over the subsets
    int subsets = 0;
    int64_t subsetSize = 0;
};

// Polynomial kernel k(x,y) = (x·y/D + 1)³ MMD², unbiased, over `subsets` random
// subsets of min(subsetSize, Na, Nb) items drawn from each side (seeded).
KidResult kernelInceptionDistance(const torch::Tensor& a, const torch::Tensor& b, int subsets = 100,
                                  int64_t subsetSize = 1000, uint64_t seed = 0);

}  // namespace ddpm
