#pragma once
// β schedules and every quantity derived from them, computed once in double
// precision on the host (for plots and golden tests) and kept as fp32 tensors
// on the model's device (for training and sampling).
#include <string>
#include <vector>

#include <torch/types.h>

namespace ddpm {

enum class ScheduleKind { Linear, Cosine, Sigmoid };
std::string toString(ScheduleKind kind);
ScheduleKind scheduleKindFromString(const std::string& name);   // throws std::invalid_argument

struct ScheduleConfig {
    ScheduleKind kind = ScheduleKind::Linear;
    int timesteps = 1000;        // T
    double betaStart = 1e-4;     // linear and sigmoid
    double betaEnd = 0.02;
    double cosineOffset = 0.008; // s in Nichol & Dhariwal
};

class NoiseSchedule {
public:
    explicit NoiseSchedule(const ScheduleConfig& config = {}, torch::Device device = torch::kCPU);

    const ScheduleConfig& config() const { return config_; }
    int timesteps() const { return config_.timesteps; }

    // Host copies, index t = 0 … T-1.
    const std::vector<double>& betas() const { return betas_; }
    const std::vector<double>& alphas() const { return alphas_; }
    const std::vector<double>& alphasCumprod() const { return alphasCumprod_; }       // ᾱ_t
    const std::vector<double>& posteriorVariance() const { return posteriorVariance_; } // β̃_t
    const std::vector<double>& posteriorLogVarianceClipped() const { return posteriorLogVarianceClipped_; }
    const std::vector<double>& posteriorMeanCoef1() const { return posteriorMeanCoef1_; }  // × x0
    const std::vector<double>& posteriorMeanCoef2() const { return posteriorMeanCoef2_; }  // × x_t
    double sqrtAlphaCumprod(int t) const;
    double sqrtOneMinusAlphaCumprod(int t) const;
    double snr(int t) const;   // ᾱ/(1−ᾱ)

    // The same as fp32 tensors (T) on the device.
    torch::Tensor sqrtAlphasCumprodTensor() const { return sqrtAbar_; }
    torch::Tensor sqrtOneMinusAlphasCumprodTensor() const { return sqrt1mAbar_; }
    torch::Tensor snrTensor() const { return snr_; }

    // Per-sample coefficient c[t] shaped to broadcast against x (B, ...): (B,1,…,1).
    static torch::Tensor perSample(const torch::Tensor& coefficients, const torch::Tensor& t, int64_t xDim);

    // x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε, one t per sample.
    // x0, noise (B,C,H,W) or (B,2) in data range; t (B) int64 in [0,T).
    torch::Tensor qSample(const torch::Tensor& x0, const torch::Tensor& t, const torch::Tensor& noise) const;

private:
    ScheduleConfig config_;
    std::vector<double> betas_, alphas_, alphasCumprod_, posteriorVariance_, posteriorLogVarianceClipped_,
        posteriorMeanCoef1_, posteriorMeanCoef2_;
    torch::Tensor sqrtAbar_, sqrt1mAbar_, snr_;
};

}  // namespace ddpm
