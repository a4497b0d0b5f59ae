#include "data/Dataset.h"

namespace ddpm {

std::vector<int64_t> Dataset::classCounts() const {
    std::vector<int64_t> counts(classNames.size(), 0);
    for (int32_t label : labels)
        if (label >= 0 && size_t(label) < counts.size()) ++counts[size_t(label)];
    return counts;
}

std::string Dataset::identity() const {
    if (isPoints()) return name + " (" + format + ", 2-D points)";
    return name + " (" + format + ", " + std::to_string(width) + "x" + std::to_string(height) + "x" +
           std::to_string(channels) + ")";
}

}  // namespace ddpm
