#pragma once
// Trains the feature classifier of a labelled image dataset on its train split
// and measures it on the held-out split. The built-in MNIST and Fashion-MNIST
// feature networks are made with this (through `ddpm train-classifier`).
#include <cstdint>
#include <functional>

#include <torch/types.h>

#include "eval/ClassifierFile.h"

namespace ddpm {

struct Dataset;

struct ClassifierTrainConfig {
    int epochs = 4;
    int batchSize = 128;
    double learningRate = 2e-3;   // Adam, cosine decay to 0 over the epochs
    int maxShift = 2;             // augmentation: random translation by up to this many pixels
    int width = 32;
    int featureDim = 128;
    uint64_t seed = 0;
};

struct ClassifierProgress {
    int epoch = 0, epochs = 0;          // 1-based epoch being trained
    int64_t batch = 0, batches = 0;     // within the epoch
    double loss = 0;                    // running mean over the epoch
    double heldOutAccuracy = -1;        // set at the end of each epoch
};
// Return false to cancel (trainClassifier then throws Cancelled).
using ClassifierProgressCallback = std::function<bool(const ClassifierProgress&)>;

// Needs labels and a held-out split. Throws std::invalid_argument otherwise.
ClassifierRecord trainClassifier(const Dataset& dataset, const ClassifierTrainConfig& config, torch::Device device,
                                 const ClassifierProgressCallback& onProgress = {});

// Share of items [begin, begin+count) of the dataset the classifier labels right.
double classifierAccuracy(ClassifierNet& net, const Dataset& dataset, int64_t begin, int64_t count,
                          torch::Device device);

}  // namespace ddpm
