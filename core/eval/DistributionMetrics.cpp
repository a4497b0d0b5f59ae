#include "eval/DistributionMetrics.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <stdexcept>
#include <torch/linalg.h>

namespace ddpm {

GaussianStats gaussianStats(const torch::Tensor& features) {
    if (features.dim() != 2 || features.size(0) < 2)
        throw std::invalid_argument("feature statistics need (N,D) features with N >= 2");
    const auto f = features.to(torch::kCPU, torch::kFloat64);   // (N,D)
    GaussianStats s;
    s.count = f.size(0);
    s.mean = f.mean(0);                                          // (D)
    const auto centred = f - s.mean;                             // (N,D)
    s.covariance = centred.t().mm(centred) / double(s.count - 1);   // (D,D)
    return s;
}

torch::Tensor symmetricSqrt(const torch::Tensor& m) {
    const auto sym = 0.5 * (m + m.t());   // remove round-off asymmetry before eigh
    auto [values, vectors] = torch::linalg::eigh(sym.to(torch::kFloat64), "L");   // (D), (D,D)
    return vectors.mm(torch::diag(values.clamp_min(0).sqrt())).mm(vectors.t());
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b) {
    if (a.mean.numel() != b.mean.numel()) throw std::invalid_argument("feature sizes differ: cannot compare");
    const double meanTerm = (a.mean - b.mean).pow(2).sum().item<double>();
    const auto rootA = symmetricSqrt(a.covariance);
    // Σa^½ Σb Σa^½ is symmetric PSD and has the same eigenvalues as Σa Σb, so
    // tr((Σa Σb)^½) is the sum of the square roots of its eigenvalues.
    const auto inner = rootA.mm(b.covariance).mm(rootA);
    const auto eigen = torch::linalg::eigvalsh(0.5 * (inner + inner.t()), "L").clamp_min(0);
    const double crossTrace = eigen.sqrt().sum().item<double>();
    const double value = meanTerm + a.covariance.trace().item<double>() + b.covariance.trace().item<double>() -
                         2.0 * crossTrace;
    return std::max(value, 0.0);
}

KidResult kernelInceptionDistance(const torch::Tensor& a, const torch::Tensor& b, int subsets, int64_t subsetSize,
                                  uint64_t seed) {
    if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(1))
        throw std::invalid_argument("KID needs two (N,D) feature sets of the same D");
    const int64_t m = std::min({subsetSize, a.size(0), b.size(0)});
    if (m < 2 || subsets < 1) throw std::invalid_argument("KID needs at least 2 items on each side");
    const auto fa = a.to(torch::kCPU, torch::kFloat64), fb = b.to(torch::kCPU, torch::kFloat64);
    const double d = double(a.size(1));
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto kernel = [d](const torch::Tensor& x, const torch::Tensor& y) {   // (m,D),(m,D) -> (m,m)
        return (x.mm(y.t()) / d + 1.0).pow(3);
    };
    std::vector<double> values;
    values.reserve(subsets);
    for (int s = 0; s < subsets; ++s) {
        const auto x = fa.index_select(0, torch::randperm(fa.size(0), generator, torch::kInt64).narrow(0, 0, m));
        const auto y = fb.index_select(0, torch::randperm(fb.size(0), generator, torch::kInt64).narrow(0, 0, m));
        const auto kxx = kernel(x, x), kyy = kernel(y, y), kxy = kernel(x, y);
        const double pairs = double(m) * double(m - 1);
        const double mmd = (kxx.sum().item<double>() - kxx.trace().item<double>()) / pairs +
                           (kyy.sum().item<double>() - kyy.trace().item<double>()) / pairs -
                           2.0 * kxy.sum().item<double>() / (double(m) * double(m));
        values.push_back(mmd);
    }
    KidResult r;
    r.subsets = subsets;
    r.subsetSize = m;
    for (double v : values) r.mean += v;
    r.mean /= double(values.size());
    for (double v : values) r.std += (v - r.mean) * (v - r.mean);
    r.std = values.size() > 1 ? std::sqrt(r.std / double(values.size() - 1)) : 0.0;
    return r;
}

}  // namespace ddpm
