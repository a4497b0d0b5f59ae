#pragma once
// Shared pieces of the ddpm verbs.
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/ArgParser.h"
#include "data/Dataset.h"
#include "diffusion/NoiseSchedule.h"
#include "sampling/Sampler.h"

namespace ddpm::cli {

// The parser of a verb of the option table (cli/OptionTable.h), with the defaults that
// depend on this machine filled in: --precision's is bf16 where the CPU multiplies it natively.
ArgParser verbParser(const std::string& verb);

// Loads a dataset, showing a progress line on stderr for slow (image folder) loads.
Dataset loadDatasetWithProgress(const std::string& pathOrName, int resolution);
std::string formatDuration(double seconds);   // "1h02m", "3m05s", "12s"
std::vector<int> intListOption(const ArgParser& parser, const std::string& option);   // "1,2,2"
// The configuration the options made, checked: what its validate() refuses is a usage error.
template <typename Config>
Config validatedOrUsageError(Config config) {
    try {
        config.validate();
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return config;
}

// From --schedule (when given) and --timesteps, for the verbs that build a noise schedule.
ScheduleConfig scheduleFromOptions(const ArgParser& parser);
// From --sampler, --steps, --eta, --quadratic, --seed, --class, --prompt, --negative-prompt,
// --guidance, --no-clip and --precision: the sampling choices every verb that draws samples
// offers (the option table's sampler options). --class needs a class-conditional model,
// the prompts a text model.
SamplingParameters samplerFromOptions(const ArgParser& parser, const ModelConfig& model);
// The prompts of a --prompts FILE: one per line (blank lines skipped), each valid UTF-8 and
// at most SamplingLimits::kMaxPromptBytes; a bad line is a usage error naming it.
std::vector<std::string> promptFileLines(const std::string& path);
// A note on stderr when the chosen precision is slow or inexact on this device.
void printPrecisionNote(Precision precision, const torch::Device& device);
// The prompt's notes for a text model (unknown words, truncation, empty), on stderr.
void printPromptNotes(const ModelConfig& model, const std::vector<std::string>& prompts);

}  // namespace ddpm::cli
