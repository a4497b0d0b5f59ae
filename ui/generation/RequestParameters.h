#pragma once
// Between the GUI's SamplingRequest and core's SampleParameters, the form that
// goes into (and comes back from) a PNG's text chunks.
#include "generation/Sampling.h"
#include "sampling/SampleParameters.h"

namespace ddpm::ui {

ddpm::SampleParameters toSampleParameters(const SamplingRequest& request, const ModelSummary& model);
SamplingRequest toSamplingRequest(const ddpm::SampleParameters& parameters);

}  // namespace ddpm::ui
