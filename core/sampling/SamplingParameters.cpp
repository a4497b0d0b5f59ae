#include "sampling/SamplingParameters.h"

#include <sstream>
#include <stdexcept>

#include "util/DisplayPath.h"

namespace ddpm {

namespace {

const char kSampler[] = "ddpm:sampler";
const char kSteps[] = "ddpm:steps";
const char kEta[] = "ddpm:eta";
const char kCount[] = "ddpm:count";
const char kSeed[] = "ddpm:seed";
const char kGuidance[] = "ddpm:guidance";
const char kClass[] = "ddpm:class";
const char kCheckpoint[] = "ddpm:checkpoint";
const char kWeights[] = "ddpm:weights";
const char kPrecision[] = "ddpm:precision";
const char kPrompt[] = "ddpm:prompt";
const char kNegativePrompt[] = "ddpm:negative_prompt";

// Shortest round-trippable form a person reads easily: 0, 0.5, 7.5.
std::string formatNumber(double value) {
    std::ostringstream out;
    out.precision(15);
    out << value;
    return out.str();
}

// The whole text must be a number (stod alone accepts "1x") within [low, high]; NaN is not.
template <typename T, typename Parse, typename Bound>
void readNumber(const std::map<std::string, std::string>& text, const char* key, T& target, Parse parse, Bound low,
                Bound high) {
    const auto it = text.find(key);
    if (it == text.end()) return;
    size_t used = 0;
    decltype(parse(it->second, &used)) value{};
    try {
        value = parse(it->second, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != it->second.size())
        throw std::invalid_argument(std::string(key) + ": not a number: '" + it->second + "'");
    if (!(value >= low && value <= high))
        throw std::invalid_argument(std::string(key) + ": " + it->second + " is outside " + formatNumber(double(low)) +
                                    " … " + formatNumber(double(high)));
    target = T(value);
}

// A word from a fixed list: throws naming the key when it is none of them.
template <typename T, typename Parse>
void readWord(const std::map<std::string, std::string>& text, const char* key, T& target, Parse parse) {
    const auto it = text.find(key);
    if (it == text.end()) return;
    try {
        target = parse(it->second);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(key) + ": " + e.what());
    }
}

void readPrompt(const std::map<std::string, std::string>& text, const char* key, std::string& target) {
    const auto it = text.find(key);
    if (it == text.end()) return;
    if (it->second.size() > SamplingLimits::kMaxPromptBytes)
        throw std::invalid_argument(std::string(key) + ": longer than " + std::to_string(SamplingLimits::kMaxPromptBytes) +
                                    " bytes");
    if (!isValidUtf8(it->second)) throw std::invalid_argument(std::string(key) + ": not valid UTF-8");
    target = it->second;
}

}  // namespace

std::string toString(SamplerKind kind) { return kind == SamplerKind::Ddpm ? "ddpm" : "ddim"; }

SamplerKind samplerKindFromString(const std::string& name) {
    if (name == "ddpm") return SamplerKind::Ddpm;
    if (name == "ddim") return SamplerKind::Ddim;
    throw std::invalid_argument("unknown sampler '" + name + "' (ddpm, ddim)");
}

std::map<std::string, std::string> toPngText(const SamplingParameters& p, int timesteps) {
    std::map<std::string, std::string> text = {
        {kSampler, toString(p.sampler)},
        {kSteps, std::to_string(p.stepsTaken(timesteps))},
        {kEta, formatNumber(p.eta)},
        {kCount, std::to_string(p.count)},
        {kSeed, std::to_string(p.seed)},
        {kGuidance, formatNumber(p.guidance)},
        {kClass, std::to_string(p.classLabel)},
        {kPrecision, toString(p.precision)},
        {kWeights, p.weights}};
    if (!p.checkpoint.empty()) text[kCheckpoint] = p.checkpoint;
    if (!p.prompt.empty()) text[kPrompt] = p.prompt;
    if (!p.negativePrompt.empty()) text[kNegativePrompt] = p.negativePrompt;
    return text;
}

bool hasSamplingParameters(const std::map<std::string, std::string>& text) { return text.count(kSampler) > 0; }

SamplingParameters samplingParametersFromPngText(const std::map<std::string, std::string>& text) {
    SamplingParameters p;
    readWord(text, kSampler, p.sampler, samplerKindFromString);
    readWord(text, kPrecision, p.precision, precisionFromString);
    const auto toInt = [](const std::string& s, size_t* used) { return std::stoll(s, used); };
    const auto toDouble = [](const std::string& s, size_t* used) { return std::stod(s, used); };
    using Limits = SamplingLimits;
    readNumber(text, kSteps, p.steps, toInt, 1ll, (long long)Limits::kMaxSteps);
    readNumber(text, kEta, p.eta, toDouble, 0.0, 1.0);
    readNumber(text, kCount, p.count, toInt, 1ll, (long long)Limits::kMaxCount);
    readNumber(text, kSeed, p.seed, toInt, 0ll, (long long)Limits::kMaxSeed);
    readNumber(text, kGuidance, p.guidance, toDouble, 0.0, Limits::kMaxGuidance);
    readNumber(text, kClass, p.classLabel, toInt, -1ll, (long long)Limits::kMaxClass);
    if (const auto it = text.find(kCheckpoint); it != text.end()) p.checkpoint = it->second;
    if (const auto it = text.find(kWeights); it != text.end()) p.weights = it->second;
    readPrompt(text, kPrompt, p.prompt);
    readPrompt(text, kNegativePrompt, p.negativePrompt);
    return p;
}

}  // namespace ddpm
