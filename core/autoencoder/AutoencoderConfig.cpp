#include "autoencoder/AutoencoderConfig.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "util/KeyValueText.h"

namespace ddpm {

int AutoencoderConfig::levels() const { return factor == 2 ? 1 : factor == 4 ? 2 : 3; }

int AutoencoderConfig::channelsAt(int level) const { return baseChannels * std::min(1 << level, 4); }

int AutoencoderConfig::paddedResolution() const { return (resolution + 7) / 8 * 8; }

std::string AutoencoderConfig::describe() const {
    std::ostringstream out;
    out << "KL autoencoder " << resolution << "x" << resolution << "x" << inChannels << " -> " << latentResolution()
        << "x" << latentResolution() << "x" << latentChannels << " (factor " << factor;
    if (paddedResolution() != resolution) out << ", padded to " << paddedResolution();
    out << "), base " << baseChannels << ", GroupNorm(" << groups << ")";
    return out.str();
}

void AutoencoderConfig::validate() const {
    auto check = [](bool ok, const std::string& what) {
        if (!ok) throw std::invalid_argument(what);
    };
    check(inChannels == 1 || inChannels == 3, "autoencoder: 1 or 3 image channels, not " + std::to_string(inChannels));
    check(resolution >= 8 && resolution <= 512, "autoencoder: resolution 8 to 512, not " + std::to_string(resolution));
    check(factor == 2 || factor == 4 || factor == 8, "autoencoder: factor 2, 4 or 8, not " + std::to_string(factor));
    check(latentChannels >= 1 && latentChannels <= 64,
          "autoencoder: 1 to 64 latent channels, not " + std::to_string(latentChannels));
    check(baseChannels >= 8 && baseChannels <= 512 && groups >= 1 && baseChannels % groups == 0,
          "autoencoder: base channels 8 to 512, a multiple of the " + std::to_string(groups) + " groups, not " +
              std::to_string(baseChannels));
}

void AutoencoderConfig::write(KeyValueText& kv, const std::string& prefix) const {
    kv.set(prefix + "in_channels", inChannels);
    kv.set(prefix + "resolution", resolution);
    kv.set(prefix + "factor", factor);
    kv.set(prefix + "latent_channels", latentChannels);
    kv.set(prefix + "base_channels", baseChannels);
    kv.set(prefix + "groups", groups);
}

AutoencoderConfig AutoencoderConfig::read(const KeyValueText& kv, const std::string& prefix) {
    AutoencoderConfig c;
    c.inChannels = int(kv.getInt(prefix + "in_channels"));
    c.resolution = int(kv.getInt(prefix + "resolution"));
    c.factor = int(kv.getInt(prefix + "factor"));
    c.latentChannels = int(kv.getInt(prefix + "latent_channels"));
    c.baseChannels = int(kv.getInt(prefix + "base_channels"));
    c.groups = int(kv.getInt(prefix + "groups"));
    c.validate();
    return c;
}

}  // namespace ddpm
