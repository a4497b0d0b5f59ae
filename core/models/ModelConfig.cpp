#include "models/ModelConfig.h"

#include <sstream>
#include <stdexcept>

namespace ddpm {

std::vector<std::string> ModelConfig::presetNames() { return {"tiny", "small", "ddpm-cifar", "peer", "mlp"}; }

ModelConfig ModelConfig::preset(const std::string& name, int inChannels, int resolution, int numClasses) {
    ModelConfig c;
    c.inChannels = inChannels;
    c.resolution = resolution;
    c.numClasses = numClasses;
    if (name == "tiny") {
        // Quality per CPU minute: the peer's widths at native resolution, plus
        // attention at the coarsest level, where it is cheap.
        c.attentionLevels = {2};
    } else if (name == "peer") {
        // The benchmark's plain-PyTorch reference (bench/reference_ddpm.py): 620,705 parameters for 1 channel.
    } else if (name == "small") {
        c.layout = UNetLayout::Ho;
        c.baseChannels = 64;
        c.numResBlocks = 2;
        c.attentionLevels = {2};
        c.dropout = 0.1;
        c.groups = 16;
    } else if (name == "ddpm-cifar") {
        // Ho et al. 2020's CIFAR-10 model (35.7M parameters).
        c.layout = UNetLayout::Ho;
        c.baseChannels = 128;
        c.channelMults = {1, 2, 2, 2};
        c.numResBlocks = 2;
        c.attentionLevels = {1};
        c.dropout = 0.1;
        c.groups = 32;
    } else if (name == "mlp") {
        c.kind = DenoiserKind::Mlp;
        c.inChannels = 2;
        c.resolution = 0;
    } else {
        throw std::invalid_argument("unknown model preset '" + name + "' (tiny, small, ddpm-cifar, peer, mlp)");
    }
    return c;
}

std::string ModelConfig::describe() const {
    std::ostringstream out;
    if (kind == DenoiserKind::Mlp) {
        out << "MLP denoiser, " << mlpBlocks << " blocks of " << mlpHidden;
    } else {
        out << "U-Net (" << toString(layout) << "), " << resolution << "x" << resolution << "x" << inChannels
            << ", base " << baseChannels << ", mults (";
        for (size_t i = 0; i < channelMults.size(); ++i) out << (i ? "," : "") << channelMults[i];
        out << "), " << numResBlocks << " res block" << (numResBlocks == 1 ? "" : "s") << "/level, attention at (";
        for (size_t i = 0; i < attentionLevels.size(); ++i) out << (i ? "," : "") << attentionLevels[i];
        out << "), GroupNorm(" << groups << "), dropout " << dropout << (film ? ", FiLM" : ", additive t-emb");
    }
    if (numClasses > 0) out << ", " << numClasses << " classes (+null)";
    if (text.enabled()) {
        out << ", text (" << (text.usesClip() ? "CLIP, frozen" : text.encoder + ", " + std::to_string(text.words.size()) + " words")
            << ", " << text.context << " tokens × "
            << text.width << ", cross-attention at (";
        for (size_t i = 0; i < text.crossAttentionLevels.size(); ++i) out << (i ? "," : "") << text.crossAttentionLevels[i];
        out << ") and the middle)";
    }
    return out.str();
}

SampleSpace ModelConfig::space() const {
    return kind == DenoiserKind::Mlp ? SampleSpace::points() : SampleSpace::pixels(inChannels, resolution, resolution);
}

namespace {

// Prompts instead of classes, attended to at every level but the full-resolution one (where it costs most).
void useText(ModelConfig& model, const std::string& encoder) {
    model.numClasses = 0;
    model.text.encoder = encoder;
    model.text.crossAttentionLevels.clear();
    for (int level = 1; level < int(model.channelMults.size()); ++level) model.text.crossAttentionLevels.push_back(level);
}

}  // namespace

void ModelConfig::useBuiltinText(std::vector<std::string> words) {
    useText(*this, "builtin");
    text.words = std::move(words);
}

void ModelConfig::useClipText(const std::string& folder, int width, int context) {
    useText(*this, "clip:" + folder);
    text.words.clear();
    text.width = width;
    text.context = context;
}

std::string toString(UNetLayout layout) { return layout == UNetLayout::Compact ? "compact" : "ho"; }

UNetLayout unetLayoutFromString(const std::string& name) {
    if (name == "compact") return UNetLayout::Compact;
    if (name == "ho") return UNetLayout::Ho;
    throw std::invalid_argument("unknown U-Net layout '" + name + "' (compact, ho)");
}

}  // namespace ddpm
