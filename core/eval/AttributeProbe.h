#pragma once
// Whether a text model's attribute words do what they say, on the built-in sets'
// generated captions: for each class and attribute, the same seeds are drawn under
// the prompt with the attribute's high word and with its low word ("a thick seven",
// "a thin seven"), and the attribute is measured on both pictures (thickness, size,
// slant: GeneratedCaptions' measures). A pair goes the right way when the high
// prompt's picture measures higher.
#include <functional>
#include <string>
#include <vector>

#include "data/GeneratedCaptions.h"
#include "sampling/SamplingParameters.h"

namespace ddpm {

struct CheckpointContents;

struct AttributePairs {
    std::string attribute;       // "thickness", "size", "slant", "lightness"
    std::string className;       // "seven"
    std::string higher, lower;   // the two prompts
    int64_t pairs = 0, rightWay = 0;
};

// Progress: pairs done of the total; return false to cancel (throws Cancelled).
using ProbeProgress = std::function<bool(int64_t done, int64_t total)>;

// `pairs` seeds per class and attribute, drawn with `sampler` (its seed the first), from
// the checkpoint's EMA model: a text model of the scheme's data. Throws
// std::invalid_argument for any other model.
std::vector<AttributePairs> probeAttributes(const CheckpointContents& checkpoint, CaptionScheme scheme,
                                            const SamplingParameters& sampler, int64_t pairs,
                                            const ProbeProgress& onProgress = {});
// The scheme whose captions a dataset name has ("mnist", "fashion-mnist"); throws otherwise.
CaptionScheme captionSchemeOf(const std::string& datasetName);

}  // namespace ddpm
