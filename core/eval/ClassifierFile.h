#pragma once
// A trained feature classifier on disk (*.classifier): its configuration, its
// weights and the held-out accuracy it reached. Written atomically.
#include <string>

#include <torch/types.h>

#include "eval/ClassifierNet.h"

namespace ddpm {

struct ClassifierRecord {
    ClassifierNet net{nullptr};       // in eval mode after loading
    double heldOutAccuracy = 0;       // share of the held-out split classified right
    long long heldOutCount = 0;
};

void saveClassifier(const std::string& path, const ClassifierRecord& record);
// Throws CheckpointError naming the file and what is wrong.
ClassifierRecord loadClassifier(const std::string& path, torch::Device device);

}  // namespace ddpm
