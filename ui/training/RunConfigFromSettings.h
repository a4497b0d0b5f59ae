#pragma once
// The Train tab's settings as core's RunConfig for one dataset: preset sized to
// the data (or to an autoencoder's latents of it), class conditioning only where
// there are labels. Includes torch (via
// RunConfig.h): keep it out of the torch-free ui headers.
#include "autoencoder/AutoencoderFile.h"
#include "data/Dataset.h"
#include "training/RunConfig.h"
#include "training/TrainSettings.h"

namespace ddpm::ui {

// Throws std::invalid_argument with a readable reason (unknown name, a value core rejects, a
// latent run without its autoencoder or with one that does not fit the data).
RunConfig runConfigFromSettings(const TrainSettings& settings, const Dataset& dataset,
                                const TrainedAutoencoder* autoencoder = nullptr);

}  // namespace ddpm::ui
