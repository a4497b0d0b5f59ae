#pragma once
// Shared pieces of the ddpm verbs.
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "diffusion/NoiseSchedule.h"
#include "sampling/Sampler.h"

namespace ddpm::cli {

class ArgParser;

// Loads a dataset, showing a progress line on stderr for slow (image folder) loads.
Dataset loadDatasetWithProgress(const std::string& pathOrName, int resolution);
std::string formatDuration(double seconds);   // "1h02m", "3m05s", "12s"
std::vector<int> intListOption(const ArgParser& parser, const std::string& option);   // "1,2,2"
// --schedule and --timesteps, for the verbs that build a noise schedule.
void addScheduleOptions(ArgParser& parser, const std::string& defaultNote = "");   // note: " (default: ...)" when it varies
ScheduleConfig scheduleFromOptions(const ArgParser& parser);
void ensureFolder(const std::string& path);   // creates it (and parents) or throws naming it
// --sampler, --steps, --eta, --quadratic, --seed, --class, --guidance, --no-clip, --precision:
// the sampling choices every verb that draws samples offers, with SamplerConfig's defaults.
void addSamplerOptions(ArgParser& parser);
// numClasses: the model's (0 = unconditional; then --class is an error).
SamplerConfig samplerFromOptions(const ArgParser& parser, int numClasses);

}  // namespace ddpm::cli
