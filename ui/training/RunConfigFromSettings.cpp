#include "training/RunConfigFromSettings.h"

#include <stdexcept>

namespace ddpm::ui {

RunConfig runConfigFromSettings(const TrainSettings& s, const Dataset& dataset) {
    const bool points = dataset.isPoints();
    const bool conditional = s.classConditional && dataset.hasLabels();
    // 2-D points only fit the MLP, and the MLP only fits points.
    const std::string preset = points ? "mlp" : (s.preset == "mlp" ? "tiny" : s.preset.toStdString());
    const int resolution = points ? 0 : dataset.width;

    RunConfig c;   // every field not set here keeps core's default
    c.model = ModelConfig::preset(preset, points ? 2 : dataset.channels, resolution,
                                  conditional ? dataset.numClasses() : 0);
    c.schedule.kind = scheduleKindFromString(s.schedule.toStdString());
    c.objective = objectiveFromString(s.objective.toStdString());
    c.train.batchSize = s.batchSize;
    c.train.learningRate = s.learningRate;
    c.train.emaDecay = s.emaDecay;
    c.train.precision = precisionFromString(s.precision.toStdString());
    c.train.classDropProb = s.classDropProb;
    c.data = dataInfoOf(dataset, c.model);
    c.validate();
    return c;
}

}  // namespace ddpm::ui
