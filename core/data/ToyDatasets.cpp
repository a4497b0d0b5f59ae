#include "data/ToyDatasets.h"

#include <cmath>
#include <random>
#include <stdexcept>

#include "data/DatasetError.h"
#include "data/Split.h"

namespace ddpm {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr float kGmmStd = 0.05f;

// Box-Muller on mt19937_64 bits, so the points are the same with every standard library.
struct Rng {
    std::mt19937_64 engine;
    explicit Rng(uint64_t seed) : engine(seed) {}
    double uniform() { return (double(engine() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
    double normal() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * kPi * uniform()); }
};
}  // namespace

std::vector<std::string> toyDatasetNames() { return {"gmm8", "gmm25", "moons", "swissroll", "rings"}; }

std::vector<std::pair<float, float>> toyModeCentres(const std::string& name) {
    std::vector<std::pair<float, float>> centres;
    if (name == "gmm8") {
        for (int k = 0; k < 8; ++k)
            centres.emplace_back(float(1.4 * std::cos(2 * kPi * k / 8)), float(1.4 * std::sin(2 * kPi * k / 8)));
    } else if (name == "gmm25") {
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j < 5; ++j) centres.emplace_back(float(0.7 * (i - 2)), float(0.7 * (j - 2)));
    }
    return centres;
}

Dataset makeToyDataset(const std::string& name, int64_t count, uint64_t seed) {
    Dataset d;
    d.name = "toy:" + name;
    d.format = "toy";
    d.kind = DatasetKind::Points;
    d.source = "generated: " + name + ", " + std::to_string(count) + " points, seed " + std::to_string(seed);
    d.count = count;
    d.points.resize(size_t(count) * 2);
    Rng rng(seed + 0x9E3779B97F4A7C15ull);
    const auto centres = toyModeCentres(name);
    if (!centres.empty()) {
        for (size_t k = 0; k < centres.size(); ++k) d.classNames.push_back("mode " + std::to_string(k));
        d.labels.resize(size_t(count));
    }
    for (int64_t i = 0; i < count; ++i) {
        double x, y;
        if (!centres.empty()) {
            const auto k = size_t(rng.engine() % centres.size());
            d.labels[size_t(i)] = int32_t(k);
            x = centres[k].first + kGmmStd * rng.normal();
            y = centres[k].second + kGmmStd * rng.normal();
        } else if (name == "moons") {
            const double a = kPi * rng.uniform();
            const bool upper = rng.uniform() < 0.5;
            x = upper ? std::cos(a) : 1.0 - std::cos(a);
            y = upper ? std::sin(a) : 0.5 - std::sin(a);
            x = (x - 0.5) * 1.1 + 0.05 * rng.normal();
            y = (y - 0.25) * 1.1 + 0.05 * rng.normal();
        } else if (name == "swissroll") {
            const double r = 1.5 * kPi * (1.0 + 2.0 * rng.uniform());
            x = r * std::cos(r) / 7.0 + 0.03 * rng.normal();
            y = r * std::sin(r) / 7.0 + 0.03 * rng.normal();
        } else if (name == "rings") {
            const double radius = 0.5 * double(1 + rng.engine() % 3);
            const double a = 2 * kPi * rng.uniform();
            x = radius * std::cos(a) + 0.03 * rng.normal();
            y = radius * std::sin(a) + 0.03 * rng.normal();
        } else {
            std::string names;
            for (const auto& n : toyDatasetNames()) names += (names.empty() ? "toy:" : ", toy:") + n;
            throw DatasetError("toy:" + name, "unknown 2-D toy dataset (known: " + names + ")");
        }
        d.points[size_t(2 * i)] = float(x);
        d.points[size_t(2 * i + 1)] = float(y);
    }
    d.trainCount = defaultTrainCount(count);
    return d;
}

}  // namespace ddpm
