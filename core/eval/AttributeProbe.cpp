#include "eval/AttributeProbe.h"

#include <stdexcept>

#include "autoencoder/LatentCodec.h"
#include "image/ImageGrid.h"
#include "sampling/Sampler.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"
#include "util/Cancelled.h"

namespace ddpm {

CaptionScheme captionSchemeOf(const std::string& name) {
    if (name == "mnist") return CaptionScheme::Digits;
    if (name == "fashion-mnist") return CaptionScheme::Clothes;
    throw std::invalid_argument("attribute prompts are measured on the built-in mnist and fashion-mnist, not " + name);
}

std::vector<AttributePairs> probeAttributes(const CheckpointContents& checkpoint, CaptionScheme scheme,
                                            const SamplingParameters& sampler, int64_t pairs,
                                            const ProbeProgress& onProgress) {
    const RunConfig& run = checkpoint.config;
    if (!run.model.text.enabled()) throw std::invalid_argument("the model takes no prompts");
    if (run.data.space.pictureSpace().channels != 1) throw std::invalid_argument("the attributes are measured on grey pictures");
    if (pairs < 1) throw std::invalid_argument("the probe needs at least one pair per prompt");
    const NoiseSchedule schedule(run.schedule, checkpoint.ema->device());
    const std::vector<std::string> classes = captionClassNames(scheme);
    const std::vector<CaptionAttribute> attributes = captionAttributes(scheme);
    const int64_t total = int64_t(classes.size() * attributes.size()) * pairs;
    // prompt -> (pairs,H,W) uint8 pictures
    const auto draw = [&](const std::string& prompt) {
        SamplingParameters sc = sampler;
        sc.prompt = prompt;
        sc.count = pairs;
        const auto x = sample(*checkpoint.ema, schedule, run.objective, run.data.space, sc);
        return toUint8(picturesOf(x, run.data.space, checkpoint.autoencoder.get())).select(1, 0).contiguous();
    };
    std::vector<AttributePairs> results;
    for (const std::string& className : classes)
        for (size_t k = 0; k < attributes.size(); ++k) {
            const CaptionAttribute& a = attributes[k];
            // The prompt with this attribute's word only, as a caption would say it.
            const auto prompt = [&](const char* word) {
                std::vector<std::string> words(attributes.size());
                words[k] = word;
                return captionPhrase(scheme, className, words);
            };
            AttributePairs r{a.name, className, prompt(a.high), prompt(a.low), pairs, 0};
            const auto high = draw(r.higher), low = draw(r.lower);   // (pairs,H,W)
            const int H = int(high.size(1)), W = int(high.size(2));
            for (int64_t i = 0; i < pairs; ++i) {
                const double up = measureAttributes(high[i].data_ptr<uint8_t>(), H, W).*a.measure;
                const double down = measureAttributes(low[i].data_ptr<uint8_t>(), H, W).*a.measure;
                r.rightWay += up > down ? 1 : 0;
            }
            results.push_back(r);
            if (onProgress && !onProgress(int64_t(results.size()) * pairs, total)) throw Cancelled();
        }
    return results;
}

}  // namespace ddpm
