#pragma once
// A small CNN classifier whose penultimate layer is the feature space for FID
// and KID on grey or small images (MNIST, Fashion-MNIST, a user's own labelled
// folder). Three conv stages, global average pooling, a feature layer, logits.
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "random/SeededDropout.h"

namespace ddpm {

struct ClassifierConfig {
    int channels = 1;
    int resolution = 28;
    int numClasses = 10;
    int width = 32;          // channels of the first stage; then 2x and 4x
    int featureDim = 128;    // the FID feature space
    double dropout = 0.3;
    std::vector<std::string> classNames;
    std::string dataset;     // Dataset::identity() it was trained on

    std::string serialize() const;
    static ClassifierConfig deserialize(const std::string& text);   // throws std::invalid_argument
    void validate() const;
};

class ClassifierNetImpl : public torch::nn::Module {
public:
    explicit ClassifierNetImpl(const ClassifierConfig& config);

    // x (B,C,R,R) in [-1,1] -> features (B,featureDim), after ReLU
    torch::Tensor features(const torch::Tensor& x);
    // x (B,C,R,R) in [-1,1] -> logits (B,numClasses)
    torch::Tensor forward(const torch::Tensor& x);

    const ClassifierConfig& config() const { return config_; }

private:
    ClassifierConfig config_;
    torch::nn::Sequential trunk_{nullptr};
    torch::nn::Linear featureLayer_{nullptr}, head_{nullptr};
    SeededDropout dropout_{nullptr};
};
TORCH_MODULE(ClassifierNet);

}  // namespace ddpm
