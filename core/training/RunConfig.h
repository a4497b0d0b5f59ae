#pragma once
// Everything that defines a training run: the checkpoint stores it in full, so
// a checkpoint alone can be resumed, sampled and described.
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/NoiseSchedule.h"
#include "diffusion/Parameterization.h"
#include "models/ModelConfig.h"
#include "models/Precision.h"

namespace ddpm {

struct Dataset;

enum class LrDecay { Constant, Cosine };

// A run's length when the caller names none (ddpm train, the Train tab).
constexpr int64_t kDefaultTrainingSteps = 4000;

struct TrainConfig {
    int batchSize = 32;               // small batches, more steps: digits soonest on a CPU
    double learningRate = 2e-3;
    int warmupSteps = 100;            // linear warm-up from 0
    LrDecay decay = LrDecay::Cosine;  // after warm-up: constant, or cosine to 5% of the peak at the end
    double weightDecay = 0.0;         // AdamW
    double gradClip = 1.0;            // max global gradient norm; 0 = off
    double emaDecay = 0.999;          // with warm-up: min(decay, (1+n)/(10+n))
    Precision precision = defaultPrecision();
    double classDropProb = 0.1;       // classifier-free guidance: share of labels replaced by "null"
    uint64_t seed = 0;
};

// What the model was trained on (identity and geometry, not the data itself).
struct DataInfo {
    std::string name;          // "mnist", folder name, "toy:moons"
    std::string identity;      // Dataset::identity()
    SampleSpace space;         // the items at the model's resolution
    std::vector<std::string> classNames;   // non-empty for class-conditional models
    // Text runs: training items whose caption holds all these words are left out (a
    // combination held out of training, to see whether prompts compose it anyway).
    std::vector<std::string> heldOutWords;
};
// The dataset as `model` sees it: its items' space, and its class names where the
// model takes classes.
DataInfo dataInfoOf(const Dataset& dataset, const ModelConfig& model);

// What a model preset trains best with per CPU minute, on top of the engine's
// defaults. tiny predicts v on the cosine schedule: on MNIST at 1,500 steps that
// gave FID 19.0 against 26.2 for ε on the linear schedule. It is also
// class-conditional where the data has labels: after 10 minutes on MNIST that gave
// 87% confidently classified samples against 70% without labels (README, "Time to
// quality"). The toy MLP takes labels too, where a toy has them. The other presets
// keep the reference DDPM's ε, linear schedule and unconditional model.
struct PresetRecipe {
    Objective objective = Objective::Epsilon;
    ScheduleKind schedule = ScheduleKind::Linear;
    bool classConditional = false;   // where the dataset has labels
};
PresetRecipe presetRecipe(const std::string& preset);

struct RunConfig {
    ScheduleConfig schedule;
    ModelConfig model;
    Objective objective = Objective::Epsilon;
    LossWeighting weighting = LossWeighting::MinSnr;
    double minSnrGamma = 5.0;
    TrainConfig train;
    DataInfo data;

    std::string serialize() const;
    // Throws std::invalid_argument saying which entry is wrong.
    static RunConfig deserialize(const std::string& text);
    void validate() const;
};

}  // namespace ddpm
