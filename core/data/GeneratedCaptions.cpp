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

std::string withArticle(const std::string& phrase) {
    // By the sound: "an eight", "an ankle boot", but "a one".
    const bool vowel = !phrase.empty() && std::string("aeiou").find(phrase[0]) != std::string::npos &&
                       phrase.compare(0, 3, "one") != 0;
    return (vowel ? "an " : "a ") + phrase;
}

}  // namespace

std::vector<CaptionAttribute> captionAttributes(CaptionScheme scheme) {
    std::vector<CaptionAttribute> list = {{"size", "small", "large", false, &ImageAttributes::size}};
    if (scheme == CaptionScheme::Digits) {
        list.push_back({"thickness", "thin", "thick", false, &ImageAttributes::thickness});
        list.push_back({"slant", "slanted left", "slanted right", true, &ImageAttributes::slant});
    } else {
        list.push_back({"lightness", "dark", "light", false, &ImageAttributes::lightness});
    }
    return list;
}

std::string captionPhrase(CaptionScheme scheme, const std::string& className, const std::vector<std::string>& words) {
    const std::vector<CaptionAttribute> attributes = captionAttributes(scheme);
    std::string before, after;
    for (size_t k = 0; k < attributes.size() && k < words.size(); ++k) {
        if (words[k].empty()) continue;
        std::string& side = attributes[k].after ? after : before;
        side += (side.empty() ? "" : " ") + words[k];
    }
    return withArticle(before.empty() ? className : before + " " + className) + (after.empty() ? "" : " " + after);
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
    const std::vector<CaptionAttribute> attributes = captionAttributes(scheme);
    const std::vector<std::string> classNames = captionClassNames(scheme);
    std::array<std::vector<std::pair<double, double>>, kClasses> cuts;   // [class][attribute]
    for (int c = 0; c < kClasses; ++c)
        for (const CaptionAttribute& attribute : attributes) {
            std::vector<double> values;
            for (int64_t i = 0; i < d.trainCount; ++i)
                if (d.labels[size_t(i)] == c) values.push_back(measured[size_t(i)].*attribute.measure);
            cuts[size_t(c)].push_back(terciles(std::move(values)));
        }

    std::vector<std::string> captions;
    captions.reserve(size_t(d.count));
    for (int64_t i = 0; i < d.count; ++i) {
        const int c = d.labels[size_t(i)];
        std::vector<std::string> words;
        for (size_t k = 0; k < attributes.size(); ++k)
            words.push_back(wordFor(measured[size_t(i)].*attributes[k].measure, cuts[size_t(c)][k], attributes[k].low,
                                    attributes[k].high));
        captions.push_back(captionPhrase(scheme, classNames[size_t(c)], words));
    }
    return captions;
}

}  // namespace ddpm
