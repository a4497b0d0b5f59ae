#pragma once
// The records every training checkpoint holds, whatever model it trains (a
// denoiser, an autoencoder): the progress and the run's generator states.
#include <memory>
#include <string>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "training/Checkpoint.h"

namespace ddpm {

void writeProgressRecords(torch::serialize::OutputArchive& root, const TrainingProgress& progress, double lossScale);
// Throws CheckpointError naming `shown` when a record is missing or of the wrong shape;
// the loss scale goes to *lossScale when asked for.
TrainingProgress readProgressRecords(torch::serialize::InputArchive& root, const std::string& shown,
                                     double* lossScale = nullptr);

// The optimizer's state as saved; throws CheckpointError when it is missing.
std::shared_ptr<torch::serialize::InputArchive> readOptimizerRecord(torch::serialize::InputArchive& root,
                                                                    const std::string& shown);

void writeRandomRecords(torch::serialize::OutputArchive& root, const RunRandomState& random);
// Throws CheckpointError when a state is missing or not a generator's.
RunRandomState readRandomRecords(torch::serialize::InputArchive& root, const std::string& shown);

}  // namespace ddpm
