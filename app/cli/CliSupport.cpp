#include "cli/CliSupport.h"

#include <cstdio>
#include <filesystem>

#include <torch/utils.h>

#include "cli/ArgParser.h"
#include "data/DatasetLoader.h"
#include "util/KeyValueText.h"

namespace ddpm::cli {

ArgParser verbParser(const std::string& verb) {
    ArgParser parser(verb);
    if (parser.accepts("precision") && parser.get("precision").empty())
        parser.setDefault("precision", toString(defaultPrecision()));
    return parser;
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

SamplingParameters samplerFromOptions(const ArgParser& p, int numClasses) {
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
        if (numClasses == 0) throw UsageError("--class: this model is not class-conditional");
        sc.classLabel = p.getInt("class", 0, numClasses - 1);
    }
    return sc;
}

}  // namespace ddpm::cli
