#pragma once
// The Train tab's settings as core's RunConfig for one dataset: preset sized to
// the data, class conditioning only where there are labels. Includes torch (via
// RunConfig.h): keep it out of the torch-free ui headers.
#include "data/Dataset.h"
#include "training/RunConfig.h"
#include "training/TrainSettings.h"

namespace ddpm::ui {

// Throws std::invalid_argument with a readable reason (unknown name, a value core rejects).
RunConfig runConfigFromSettings(const TrainSettings& settings, const Dataset& dataset);

}  // namespace ddpm::ui
