#pragma once
// The fixed network whose features FID and KID compare. Two kinds:
// a DDPM Studio feature classifier (*.classifier, built in for MNIST and
// Fashion-MNIST) and a user-supplied TorchScript file such as StyleGAN's
// inception-2015-12-05.pt. Numbers from different extractors never compare,
// so each says what it is.
#include <memory>
#include <string>

#include <torch/types.h>

namespace ddpm {

struct FeatureOutput {
    torch::Tensor features;        // (B,D) float32
    torch::Tensor probabilities;   // (B,K) for classifiers, undefined otherwise
};

class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;
    // images (B,C,H,W) in [-1,1], any C in {1,3} and size: each extractor adapts them.
    virtual FeatureOutput extract(const torch::Tensor& images) = 0;
    // What gave the numbers, printed beside every FID: kind, file, accuracy.
    virtual std::string description() const = 0;
    virtual int numClasses() const { return 0; }   // > 0 for classifiers
};

// The built-in classifier file for a dataset name ("mnist", "fashion-mnist"), or "" if none ships.
std::string builtinFeatureClassifier(const std::string& datasetName);

// spec: "builtin" (the dataset's shipped classifier), a *.classifier file, or a TorchScript *.pt file.
// Throws std::runtime_error naming the file, or saying that no built-in one exists for the dataset.
std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec, const std::string& datasetName,
                                                       torch::Device device);

}  // namespace ddpm
