#include "data/GeneratedCaptions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace ddpm {

namespace {

constexpr int kClasses = 10;
const std::array<const char*, kClasses> kDigitNames = {"zero", "one", "two",   "three", "four",
                                                       "five", "six", "seven", "eight", "nine"};
const std::array<const char*, kClasses> kClothesNames = {"t-shirt", "trouser", "pullover", "dress", "coat",
                                                         "sandal",  "shirt",   "sneaker",  "bag",   "ankle boot"};

// The values at one third and two thirds of a sorted copy.
std::pair<double, double> terciles(std::vector<double> values) {
    if (values.empty()) return {0, 0};
    std::sort(values.begin(), values.end());
    return {values[values.size() / 3], values[values.size() * 2 / 3]};
}

// "low" below the first tercile, "high" above the second, "" in between.
const char* wordFor(double value, const std::pair<double, double>& cut, const char* low, const char* high) {
    if (value < cut.first) return low;
    if (value > cut.second) return high;
    return "";
}

}  // namespace

std::string withArticle(const std::string& phrase) {
    // By the sound: "an eight", "an ankle boot", but "a one".
    const bool vowel = !phrase.empty() && std::string("aeiou").find(phrase[0]) != std::string::npos &&
                       phrase.compare(0, 3, "one") != 0;
    return (vowel ? "an " : "a ") + phrase;
}

std::vector<std::string> captionClassNames(CaptionScheme scheme) {
    const auto& names = scheme == CaptionScheme::Digits ? kDigitNames : kClothesNames;
    return std::vector<std::string>(names.begin(), names.end());
}

ImageAttributes measureAttributes(const uint8_t* image, int height, int width) {
    ImageAttributes a;
    const auto ink = [&](int y, int x) { return image[y * width + x] > 127; };
    double mass = 0, sumX = 0, sumY = 0, inkSum = 0;
    int64_t area = 0, perimeter = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double p = image[y * width + x] / 255.0;
            mass += p;
            sumX += p * x;
            sumY += p * y;
            if (!ink(y, x)) continue;
            ++area;
            inkSum += p;
            // Edges of the ink: towards each neighbour without ink, or the image's border.
            perimeter += (y == 0 || !ink(y - 1, x)) + (y == height - 1 || !ink(y + 1, x)) + (x == 0 || !ink(y, x - 1)) +
                         (x == width - 1 || !ink(y, x + 1));
        }
    if (area == 0 || mass <= 0) return a;
    a.thickness = 2.0 * double(area) / double(perimeter);   // a stroke w wide and L long: area wL, perimeter ≈ 2L
    a.lightness = inkSum / double(area);
    const double meanX = sumX / mass, meanY = sumY / mass;
    double xx = 0, xy = 0, yy = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double p = image[y * width + x] / 255.0;
            xx += p * (x - meanX) * (x - meanX);
            xy += p * (x - meanX) * (y - meanY);
            yy += p * (y - meanY) * (y - meanY);
        }
    a.size = std::sqrt((xx + yy) / mass) / double(std::min(height, width));
    // Rows count downwards: ink that leans right has x falling as y grows.
    a.slant = yy > 0 ? -xy / yy : 0;
    return a;
}

std::vector<std::string> generatedCaptions(const Dataset& d, CaptionScheme scheme) {
    if (d.isPoints() || d.channels != 1 || d.numClasses() != kClasses || !d.hasLabels())
        throw std::invalid_argument("generated captions need a grey dataset labelled with its 10 classes; " + d.name +
                                    " is not one");
    std::vector<ImageAttributes> measured(size_t(d.count));
    for (int64_t i = 0; i < d.count; ++i) measured[size_t(i)] = measureAttributes(d.image(i), d.height, d.width);

    // Each attribute's terciles per class, on the training split.
    struct Cuts {
        std::pair<double, double> size, thickness, slant, lightness;
    };
    std::array<Cuts, kClasses> cuts;
    for (int c = 0; c < kClasses; ++c) {
        std::vector<double> size, thickness, slant, lightness;
        for (int64_t i = 0; i < d.trainCount; ++i) {
            if (d.labels[size_t(i)] != c) continue;
            const ImageAttributes& a = measured[size_t(i)];
            size.push_back(a.size);
            thickness.push_back(a.thickness);
            slant.push_back(a.slant);
            lightness.push_back(a.lightness);
        }
        cuts[size_t(c)] = {terciles(size), terciles(thickness), terciles(slant), terciles(lightness)};
    }

    std::vector<std::string> captions;
    captions.reserve(size_t(d.count));
    for (int64_t i = 0; i < d.count; ++i) {
        const int c = d.labels[size_t(i)];
        const ImageAttributes& a = measured[size_t(i)];
        const Cuts& cut = cuts[size_t(c)];
        std::vector<std::string> words = {wordFor(a.size, cut.size, "small", "large")};
        std::string after;
        if (scheme == CaptionScheme::Digits) {
            words.push_back(wordFor(a.thickness, cut.thickness, "thin", "thick"));
            words.push_back(kDigitNames[size_t(c)]);
            after = wordFor(a.slant, cut.slant, "slanted left", "slanted right");
        } else {
            words.push_back(wordFor(a.lightness, cut.lightness, "dark", "light"));
            words.push_back(kClothesNames[size_t(c)]);
        }
        std::string phrase;
        for (const std::string& word : words)
            if (!word.empty()) phrase += (phrase.empty() ? "" : " ") + word;
        if (!after.empty()) phrase += " " + after;
        captions.push_back(withArticle(phrase));
    }
    return captions;
}

}  // namespace ddpm
