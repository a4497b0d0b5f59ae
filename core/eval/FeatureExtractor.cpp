#include "eval/FeatureExtractor.h"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/upsampling.h>

#include "eval/ClassifierFile.h"
#include "eval/TorchScriptFeatures.h"
#include "util/DisplayPath.h"
#include "util/ResourcePaths.h"

namespace ddpm {

namespace {

// images (B,C,H,W) -> (B,channels,size,size): grey repeated to RGB or RGB
// averaged to grey, bilinear resize when the size differs.
torch::Tensor adaptImages(const torch::Tensor& images, int channels, int size) {
    auto x = images.to(torch::kFloat);
    if (x.size(1) != channels) x = channels == 3 ? x.expand({-1, 3, -1, -1}) : x.mean(1, /*keepdim=*/true);
    if (x.size(2) != size || x.size(3) != size) {
        namespace F = torch::nn::functional;
        x = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{size, size})
                                  .mode(torch::kBilinear)
                                  .align_corners(false));
    }
    return x.contiguous();
}

class ClassifierFeatures : public FeatureExtractor {
public:
    ClassifierFeatures(const std::string& path, torch::Device device)
        : record_(loadClassifier(path, device)), path_(path), device_(device) {}

    FeatureOutput extract(const torch::Tensor& images) override {
        torch::InferenceMode guard;
        const auto& c = record_.net->config();
        auto x = adaptImages(images, c.channels, c.resolution).to(device_);   // (B,C,R,R) in [-1,1]
        FeatureOutput out;
        out.features = record_.net->features(x);                              // (B,featureDim)
        out.probabilities = torch::softmax(record_.net->forward(x), 1);       // (B,K); eval mode: no dropout
        return out;
    }

    std::string description() const override {
        std::ostringstream s;
        s << "classifier " << displayPath(path_) << " (" << record_.net->config().dataset << ", "
          << record_.net->config().featureDim << " features, held-out accuracy " << std::fixed;
        s.precision(2);
        s << 100.0 * record_.heldOutAccuracy << "% on " << record_.heldOutCount << ")";
        return s.str();
    }

    int numClasses() const override { return record_.net->config().numClasses; }

private:
    ClassifierRecord record_;
    std::string path_;
    torch::Device device_;
};

class ScriptedFeatures : public FeatureExtractor {
public:
    ScriptedFeatures(const std::string& path, torch::Device device) : net_(path, device), device_(device) {}

    FeatureOutput extract(const torch::Tensor& images) override {
        // The scripted network gets (B,3,S,S) float in [0,255], as StyleGAN's metrics feed Inception.
        auto x = adaptImages(images, 3, TorchScriptFeatures::kInputSize).add(1.0).mul(127.5).to(device_);
        FeatureOutput out;
        out.features = net_.features(x);
        return out;
    }

    std::string description() const override { return net_.description(); }

private:
    TorchScriptFeatures net_;
    torch::Device device_;
};

}  // namespace

std::string builtinFeatureClassifier(const std::string& datasetName) {
    if (datasetName != "mnist" && datasetName != "fashion-mnist" && datasetName != "emoji") return {};
    return findResource("models/" + datasetName + ".classifier").string();
}

std::unique_ptr<FeatureExtractor> openFeatureExtractor(const std::string& spec, const std::string& datasetName,
                                                       torch::Device device) {
    if (spec == "builtin") {
        const std::string path = builtinFeatureClassifier(datasetName);
        if (path.empty())
            throw std::runtime_error("no built-in feature network for dataset '" + datasetName +
                                     "' (built in: mnist, fashion-mnist, emoji at 64 px); pass --features FILE (a classifier from "
                                     "`ddpm train-classifier` or a TorchScript Inception .pt)");
        return std::make_unique<ClassifierFeatures>(path, device);
    }
    const auto ext = std::filesystem::path(spec).extension().string();
    if (ext == ".classifier") return std::make_unique<ClassifierFeatures>(spec, device);
    return std::make_unique<ScriptedFeatures>(spec, device);
}

}  // namespace ddpm
