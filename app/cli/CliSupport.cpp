#include "cli/CliSupport.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <torch/utils.h>

#include "cli/ArgParser.h"
#include "conditioning/PromptNotes.h"
#include "data/DatasetLoader.h"
#include "util/DisplayPath.h"
#include "util/KeyValueText.h"

namespace ddpm::cli {

ArgParser verbParser(const std::string& verb) {
    ArgParser parser(verb);
    if (parser.accepts("precision") && parser.get("precision").empty())
        parser.setDefault("precision", toString(defaultPrecision()));
    return parser;
}

void printPrecisionNote(Precision precision, const torch::Device& device) {
    if (const std::string note = precisionNote(precision, device.is_cpu()); !note.empty())
        std::cerr << "note: " << note << "\n";
}

Dataset loadDatasetWithProgress(const std::string& pathOrName, int resolution) {
    LoadOptions options;
    options.resolution = resolution;
    options.progress = [](int64_t done, int64_t total) {
        if (total > 200) std::fprintf(stderr, "\rloading %lld/%lld images", (long long)done, (long long)total);
        if (total > 200 && done == total) std::fprintf(stderr, "\n");
        return true;
    };
    Dataset d = loadDataset(pathOrName, options);
    if (!d.skipped.empty())
        std::fprintf(stderr, "ddpm: skipped %zu unreadable file(s); 'ddpm info' lists them\n", d.skipped.size());
    return d;
}

std::string formatDuration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

std::vector<int> intListOption(const ArgParser& parser, const std::string& option) {
    const std::string text = parser.get(option);
    auto list = parseIntList(text);
    if (!list) throw UsageError("--" + option + " expects numbers separated by commas, got '" + text + "'");
    return *list;
}

ScheduleConfig scheduleFromOptions(const ArgParser& parser) {
    ScheduleConfig c;
    if (parser.has("schedule"))
        c.kind = scheduleKindFromString(parser.getChoice("schedule"));
    c.timesteps = parser.getInt("timesteps", 2, 100000);
    return c;
}

SamplingParameters samplerFromOptions(const ArgParser& p, const ModelConfig& model) {
    SamplingParameters sc;
    sc.sampler = samplerKindFromString(p.getChoice("sampler"));
    sc.steps = p.getInt("steps", 1, SamplingLimits::kMaxSteps);
    sc.eta = p.getDouble("eta", 0, 1);
    sc.quadraticSpacing = p.has("quadratic");
    sc.seed = uint64_t(p.getInt64("seed", 0, SamplingLimits::kMaxSeed));
    sc.guidance = p.getDouble("guidance", 0, SamplingLimits::kMaxGuidance);
    sc.clipX0 = !p.has("no-clip");
    sc.precision = precisionFromString(p.getChoice("precision"));
    if (p.has("class")) {
        if (model.text.enabled()) throw UsageError("--class: this model takes prompts (--prompt), not classes");
        if (model.numClasses == 0) throw UsageError("--class: this model is not class-conditional");
        sc.classLabel = p.getInt("class", 0, model.numClasses - 1);
    }
    for (const char* option : {"prompt", "negative-prompt"}) {
        if (!p.has(option)) continue;
        if (!model.text.enabled()) throw UsageError(std::string("--") + option + ": this model was trained without text");
        const std::string prompt = p.get(option);
        if (!isValidUtf8(prompt)) throw UsageError(std::string("--") + option + ": not valid UTF-8");
        if (prompt.size() > SamplingLimits::kMaxPromptBytes)
            throw UsageError(std::string("--") + option + ": longer than " +
                             std::to_string(SamplingLimits::kMaxPromptBytes) + " bytes");
        (std::string(option) == "prompt" ? sc.prompt : sc.negativePrompt) = prompt;
    }
    if (!sc.negativePrompt.empty() && sc.guidance == 1.0)
        throw UsageError("--negative-prompt acts through guidance: give --guidance other than 1");
    return sc;
}

namespace {
constexpr size_t kMaxPromptFileBytes = 256 * 1024;
}  // namespace

std::vector<std::string> promptFileLines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("--prompts: cannot read " + path);
    std::vector<std::string> prompts;
    std::string line;
    size_t total = 0;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        if (!isValidUtf8(line)) throw UsageError(path + ":" + std::to_string(number) + ": not valid UTF-8");
        if (line.size() > SamplingLimits::kMaxPromptBytes)
            throw UsageError(path + ":" + std::to_string(number) + ": longer than " +
                             std::to_string(SamplingLimits::kMaxPromptBytes) + " bytes");
        total += line.size() + 1;
        prompts.push_back(line);
    }
    // A grid records its prompts in one PNG text chunk, which readers take up to 1 MiB.
    if (total > kMaxPromptFileBytes)
        throw UsageError("--prompts: " + path + " holds more than " + std::to_string(kMaxPromptFileBytes / 1024) + " KiB of prompts");
    if (prompts.empty()) throw UsageError("--prompts: " + path + " has no prompts");
    if (prompts.size() > 1000) throw UsageError("--prompts: " + path + " has more than 1000 prompts");
    return prompts;
}

void printPromptNotes(const ModelConfig& model, const std::vector<std::string>& prompts) {
    if (!model.text.enabled()) return;
    for (const std::string& note : notePrompts(model, prompts).notes) std::cerr << "note: " << note << "\n";
}

}  // namespace ddpm::cli
