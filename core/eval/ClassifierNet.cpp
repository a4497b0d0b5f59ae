#include "eval/ClassifierNet.h"

#include <stdexcept>

#include <torch/nn/functional/pooling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include "util/KeyValueText.h"

namespace ddpm {

std::string ClassifierConfig::serialize() const {
    KeyValueText kv;
    kv.set("channels", channels);
    kv.set("resolution", resolution);
    kv.set("classes", numClasses);
    kv.set("width", width);
    kv.set("feature_dim", featureDim);
    kv.set("dropout", dropout);
    kv.set("class_names", classNames);
    kv.set("dataset", dataset);
    return kv.toString();
}

ClassifierConfig ClassifierConfig::deserialize(const std::string& text) {
    const auto kv = KeyValueText::parse(text);
    ClassifierConfig c;
    c.channels = int(kv.getInt("channels"));
    c.resolution = int(kv.getInt("resolution"));
    c.numClasses = int(kv.getInt("classes"));
    c.width = int(kv.getInt("width"));
    c.featureDim = int(kv.getInt("feature_dim"));
    c.dropout = kv.getDouble("dropout");
    c.classNames = kv.getStringList("class_names");
    c.dataset = kv.getString("dataset");
    c.validate();
    return c;
}

void ClassifierConfig::validate() const {
    if (channels != 1 && channels != 3) throw std::invalid_argument("classifier channels must be 1 or 3");
    if (resolution < 8 || resolution > 256) throw std::invalid_argument("classifier resolution must be in [8, 256]");
    if (numClasses < 2) throw std::invalid_argument("a classifier needs at least 2 classes (the dataset has labels?)");
    if (width < 4 || featureDim < 2) throw std::invalid_argument("classifier width/feature_dim too small");
    if (dropout < 0 || dropout >= 1) throw std::invalid_argument("classifier dropout must be in [0, 1)");
    if (!classNames.empty() && int(classNames.size()) != numClasses)
        throw std::invalid_argument("classifier class_names do not match its class count");
}

namespace {
// conv 3x3 + batch norm + ReLU: the classifier's only building block.
void addConv(torch::nn::Sequential& seq, int in, int out) {
    seq->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    seq->push_back(torch::nn::BatchNorm2d(out));
    seq->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
}
}  // namespace

ClassifierNetImpl::ClassifierNetImpl(const ClassifierConfig& config) : config_(config) {
    config_.validate();
    const int w = config.width;
    torch::nn::Sequential trunk;
    addConv(trunk, config.channels, w);   // R
    addConv(trunk, w, w);
    trunk->push_back(torch::nn::MaxPool2d(2));
    addConv(trunk, w, 2 * w);             // R/2
    addConv(trunk, 2 * w, 2 * w);
    trunk->push_back(torch::nn::MaxPool2d(2));
    addConv(trunk, 2 * w, 4 * w);         // R/4
    addConv(trunk, 4 * w, 4 * w);
    trunk_ = register_module("trunk", trunk);
    featureLayer_ = register_module("features", torch::nn::Linear(4 * w, config.featureDim));
    dropout_ = register_module("dropout", SeededDropout(config.dropout));
    head_ = register_module("head", torch::nn::Linear(config.featureDim, config.numClasses));
}

torch::Tensor ClassifierNetImpl::features(const torch::Tensor& x) {
    auto h = trunk_->forward(x);               // (B,4w,R/4,R/4)
    h = h.mean({2, 3});                        // (B,4w) global average pool
    return torch::relu(featureLayer_(h));      // (B,featureDim)
}

torch::Tensor ClassifierNetImpl::forward(const torch::Tensor& x) {
    return head_(dropout_(features(x)));       // (B,numClasses)
}

}  // namespace ddpm
