#pragma once
// The training verbs' shared loop: a RunDriver run with --save-every's cadence
// and a progress line on stderr (the job's own metrics included).
#include "cli/ArgParser.h"
#include "training/RunDriver.h"

namespace ddpm::cli {

// What every training verb checks and sets up first: --data given, --steps or --minutes
// (not both), the threads (--threads); returns the device (--device).
torch::Device startTrainingVerb(const ArgParser& parser);

// Sets the horizon from --steps (default `defaultSteps` more) or --minutes; a resumed run
// without either keeps its checkpoint's horizon.
void setHorizonFromOptions(TrainingJob& job, const ArgParser& parser, bool resumed);

// Runs the driver to its horizon, printing progress (unless !showProgress: the ranks
// other than 0 of a run on several processes); returns the training seconds.
double runWithProgress(RunDriver& driver, const ArgParser& parser, bool showProgress = true);

}  // namespace ddpm::cli
