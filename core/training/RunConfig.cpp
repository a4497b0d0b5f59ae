#include "training/RunConfig.h"

#include <cctype>
#include <cmath>
#include <stdexcept>

#include "conditioning/WordTokenizer.h"
#include "data/CaptionWords.h"
#include "data/Dataset.h"
#include "util/KeyValueText.h"

namespace ddpm {

namespace {
constexpr const char* kPixelFormat = "ddpm-studio-run 1";    // pixels and points
constexpr const char* kLatentFormat = "ddpm-studio-run 2";   // an autoencoder's latents
constexpr const char* kTextFormat = "ddpm-studio-run 3";     // prompts (pixels or latents)
}  // namespace

PresetRecipe presetRecipe(const std::string& preset) {
    PresetRecipe recipe;
    if (preset == "tiny") {
        recipe.objective = Objective::Velocity;
        recipe.schedule = ScheduleKind::Cosine;
        recipe.classConditional = true;
    } else if (preset == "mlp") {
        // The labelled toys (toy:gmm8, toy:gmm25) then show guidance pulling points to a mode.
        recipe.classConditional = true;
    }
    return recipe;
}

DataInfo dataInfoOf(const Dataset& d, const ModelConfig& model) {
    DataInfo info;
    info.name = d.name;
    info.identity = d.identity();
    info.space = sampleSpaceOf(d);
    if (model.numClasses > 0) info.classNames = d.classNames;
    return info;
}

std::string RunConfig::serialize() const {
    KeyValueText kv;
    // A latent run is format 2, so that a program from before latents refuses it (by its
    // format) instead of taking its latents for pixels; pixel runs stay readable by it.
    // A text run is format 3 for the same reason.
    kv.set("format", model.text.enabled() ? kTextFormat : data.space.isLatent() ? kLatentFormat : kPixelFormat);
    kv.set("schedule.kind", toString(schedule.kind));
    kv.set("schedule.timesteps", schedule.timesteps);
    kv.set("schedule.beta_start", schedule.betaStart);
    kv.set("schedule.beta_end", schedule.betaEnd);
    kv.set("schedule.cosine_offset", schedule.cosineOffset);
    kv.set("model.kind", model.kind == DenoiserKind::UNet ? "unet" : "mlp");
    kv.set("model.in_channels", model.inChannels);
    kv.set("model.resolution", model.resolution);
    kv.set("model.layout", toString(model.layout));
    kv.set("model.base_channels", model.baseChannels);
    kv.set("model.channel_mults", model.channelMults);
    kv.set("model.res_blocks", model.numResBlocks);
    kv.set("model.attention_levels", model.attentionLevels);
    kv.set("model.groups", model.groups);
    kv.set("model.dropout", model.dropout);
    kv.set("model.film", model.film ? 1 : 0);
    kv.set("model.classes", model.numClasses);
    kv.set("model.mlp_hidden", model.mlpHidden);
    kv.set("model.mlp_blocks", model.mlpBlocks);
    if (model.text.enabled()) {
        kv.set("model.text.encoder", model.text.encoder);
        kv.set("model.text.words", model.text.words);
        kv.set("model.text.context", model.text.context);
        kv.set("model.text.width", model.text.width);
        kv.set("model.text.layers", model.text.layers);
        kv.set("model.text.heads", model.text.heads);
        kv.set("model.text.cross_attention_levels", model.text.crossAttentionLevels);
    }
    kv.set("objective", toString(objective));
    kv.set("loss_weighting", toString(weighting));
    kv.set("min_snr_gamma", minSnrGamma);
    kv.set("train.batch", train.batchSize);
    kv.set("train.lr", train.learningRate);
    kv.set("train.warmup_steps", train.warmupSteps);
    kv.set("train.lr_decay", train.decay == LrDecay::Cosine ? "cosine" : "constant");
    kv.set("train.weight_decay", train.weightDecay);
    kv.set("train.grad_clip", train.gradClip);
    kv.set("train.ema_decay", train.emaDecay);
    kv.set("train.precision", toString(train.precision));
    kv.set("train.class_drop", train.classDropProb);
    kv.set("train.seed", static_cast<long long>(train.seed));
    kv.set("data.name", data.name);
    kv.set("data.identity", data.identity);
    kv.set("data.points", data.space.isPoints() ? 1 : 0);
    kv.set("data.channels", data.space.channels);
    kv.set("data.resolution", data.space.height);
    kv.set("data.class_names", data.classNames);
    if (!data.heldOutWords.empty()) kv.set("data.held_out_words", data.heldOutWords);
    if (data.space.isLatent()) {
        kv.set("data.picture_channels", data.space.pictureChannels);
        kv.set("data.picture_resolution", data.space.pictureHeight);
    }
    return kv.toString();
}

namespace {

void validateText(const ModelConfig& model) {
    const TextConfig& t = model.text;
    if (!t.enabled()) return;
    const auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    if (model.numClasses > 0) fail("a model takes classes or prompts, not both");
    if (t.usesClip()) {
        const std::string folder = t.clipFolder();
        if (folder.empty()) fail("model.text.encoder 'clip:' names no folder");
        // The configuration is one line per key, its values trimmed.
        if (folder.find_first_of("\r\n") != std::string::npos || std::isspace(static_cast<unsigned char>(folder.front())) ||
            std::isspace(static_cast<unsigned char>(folder.back())))
            fail("model.text.encoder: a CLIP folder's path must not hold a line break or begin or end with a space");
        if (!t.words.empty()) fail("model.text.words: a CLIP model has no word list");
        if (t.context < 3 || t.context > 4096) fail("model.text.context must be 3 … 4096 tokens");
        if (t.width < 8 || t.width > 8192) fail("model.text.width must be 8 … 8192");
    } else {
        if (t.encoder != "builtin") fail("model.text.encoder '" + t.encoder + "' is none this program knows (builtin, clip:FOLDER)");
        if (t.words.empty() || t.words.size() > 100000) fail("model.text.words must list 1 … 100000 words");
        try {
            WordTokenizer::fromWords(t.words);
        } catch (const std::invalid_argument& e) {
            fail(std::string("model.text.words: ") + e.what());
        }
        if (t.context < 3 || t.context > 512) fail("model.text.context must be 3 … 512 tokens");
        if (t.width < 8 || t.width > 4096) fail("model.text.width must be 8 … 4096");
        if (t.layers < 1 || t.layers > 48) fail("model.text.layers must be 1 … 48");
        if (t.heads < 1 || t.width % t.heads) fail("model.text.heads must divide model.text.width");
    }
    for (int level : t.crossAttentionLevels)
        if (level < 0 || level >= int(model.channelMults.size()))
            fail("model.text.cross_attention_levels names level " + std::to_string(level) + ", beyond the U-Net's levels");
}

}  // namespace

RunConfig RunConfig::deserialize(const std::string& text) {
    const KeyValueText kv = KeyValueText::parse(text);
    const std::string format = kv.getString("format");
    if (format != kPixelFormat && format != kLatentFormat && format != kTextFormat)
        throw std::invalid_argument("unsupported configuration format '" + format + "' (this program reads '" +
                                    kPixelFormat + "', '" + kLatentFormat + "' and '" + kTextFormat +
                                    "'; a newer DDPM Studio wrote it?)");
    RunConfig c;
    c.schedule.kind = scheduleKindFromString(kv.getString("schedule.kind"));
    c.schedule.timesteps = int(kv.getInt("schedule.timesteps"));
    c.schedule.betaStart = kv.getDouble("schedule.beta_start");
    c.schedule.betaEnd = kv.getDouble("schedule.beta_end");
    c.schedule.cosineOffset = kv.getDouble("schedule.cosine_offset");
    const std::string kind = kv.getString("model.kind");
    if (kind != "unet" && kind != "mlp") throw std::invalid_argument("unknown model.kind '" + kind + "'");
    c.model.kind = kind == "unet" ? DenoiserKind::UNet : DenoiserKind::Mlp;
    c.model.inChannels = int(kv.getInt("model.in_channels"));
    c.model.resolution = int(kv.getInt("model.resolution"));
    c.model.layout = unetLayoutFromString(kv.getString("model.layout"));
    c.model.baseChannels = int(kv.getInt("model.base_channels"));
    c.model.channelMults = kv.getIntList("model.channel_mults");
    c.model.numResBlocks = int(kv.getInt("model.res_blocks"));
    c.model.attentionLevels = kv.getIntList("model.attention_levels");
    c.model.groups = int(kv.getInt("model.groups"));
    c.model.dropout = kv.getDouble("model.dropout");
    c.model.film = kv.getInt("model.film") != 0;
    c.model.numClasses = int(kv.getInt("model.classes"));
    c.model.mlpHidden = int(kv.getInt("model.mlp_hidden"));
    c.model.mlpBlocks = int(kv.getInt("model.mlp_blocks"));
    if (format == kTextFormat) {
        c.model.text.encoder = kv.getString("model.text.encoder");
        c.model.text.words = kv.getStringList("model.text.words");
        c.model.text.context = int(kv.getInt("model.text.context"));
        c.model.text.width = int(kv.getInt("model.text.width"));
        c.model.text.layers = int(kv.getInt("model.text.layers"));
        c.model.text.heads = int(kv.getInt("model.text.heads"));
        c.model.text.crossAttentionLevels = kv.getIntList("model.text.cross_attention_levels");
    }
    c.objective = objectiveFromString(kv.getString("objective"));
    c.weighting = lossWeightingFromString(kv.getString("loss_weighting"));
    c.minSnrGamma = kv.getDouble("min_snr_gamma");
    c.train.batchSize = int(kv.getInt("train.batch"));
    c.train.learningRate = kv.getDouble("train.lr");
    c.train.warmupSteps = int(kv.getInt("train.warmup_steps"));
    c.train.decay = kv.getString("train.lr_decay") == "cosine" ? LrDecay::Cosine : LrDecay::Constant;
    c.train.weightDecay = kv.getDouble("train.weight_decay");
    c.train.gradClip = kv.getDouble("train.grad_clip");
    c.train.emaDecay = kv.getDouble("train.ema_decay");
    c.train.precision = precisionFromString(kv.getString("train.precision"));
    c.train.classDropProb = kv.getDouble("train.class_drop");
    c.train.seed = uint64_t(kv.getInt("train.seed"));
    c.data.name = kv.getString("data.name");
    c.data.identity = kv.getString("data.identity");
    const int resolution = int(kv.getInt("data.resolution"));
    c.data.space = kv.getInt("data.points") != 0
                       ? SampleSpace::points()
                       : SampleSpace::pixels(int(kv.getInt("data.channels")), resolution, resolution);
    if (format == kLatentFormat || (format == kTextFormat && kv.has("data.picture_channels"))) {
        const int pictureResolution = int(kv.getInt("data.picture_resolution"));
        c.data.space = SampleSpace::latents(
            c.data.space.channels, resolution, resolution,
            SampleSpace::pixels(int(kv.getInt("data.picture_channels")), pictureResolution, pictureResolution));
    }
    c.data.classNames = kv.getStringList("data.class_names");
    if (kv.has("data.held_out_words")) c.data.heldOutWords = kv.getStringList("data.held_out_words");
    c.validate();
    return c;
}

void RunConfig::validate() const {
    auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
    // Checked before anything is built from it: a checkpoint's text may be damaged or hand-made.
    auto inRange = [](double v, double low, double high) { return std::isfinite(v) && v >= low && v <= high; };
    if (schedule.timesteps < 2 || schedule.timesteps > 100000) fail("schedule.timesteps must be 2 … 100000");
    if (!(inRange(schedule.betaStart, 1e-8, 0.999) && inRange(schedule.betaEnd, schedule.betaStart, 0.999)))
        fail("schedule.beta_start and beta_end must satisfy 0 < start <= end < 1");
    if (!inRange(schedule.cosineOffset, 0, 1)) fail("schedule.cosine_offset must be in [0, 1]");
    if (!inRange(model.dropout, 0, 0.99)) fail("model.dropout must be in [0, 1)");
    if (model.numClasses > 100000) fail("model.classes must be at most 100000");
    if (model.kind == DenoiserKind::UNet) {
        // Pixels have 1 or 3 channels, an autoencoder's latents up to 64 (AutoencoderConfig).
        if (model.inChannels < 1 || model.inChannels > 64) fail("model.in_channels must be 1 … 64 for a U-Net");
        // The U-Net pads its input to a multiple of its downsampling: any size in range works.
        if (model.resolution < 4 || model.resolution > 256) fail("model.resolution must be 4 … 256");
        if (model.channelMults.empty() || model.channelMults.size() > 5) fail("model.channel_mults needs 1 … 5 levels");
        for (int mult : model.channelMults) {
            if (mult < 1 || mult > 16) fail("model.channel_mults must each be 1 … 16, not " + std::to_string(mult));
            // Wider levels would ask for gigabytes per layer before the first step.
            if (int64_t(mult) * model.baseChannels > 2048)
                fail("model.base_channels × channel_mults gives a level of " + std::to_string(int64_t(mult) * model.baseChannels) +
                     " channels; at most 2048");
        }
        if (model.baseChannels < 1 || model.baseChannels > 1024 || model.groups < 1 || model.baseChannels % model.groups)
            fail("model.base_channels must be a multiple of model.groups, at most 1024");
        if (model.numResBlocks < 1 || model.numResBlocks > 8) fail("model.res_blocks must be 1 … 8");
        for (int level : model.attentionLevels)
            if (level < 0 || level >= int(model.channelMults.size()))
                fail("model.attention_levels names level " + std::to_string(level) + ", beyond the U-Net's levels");
        validateText(model);
    } else if (model.text.enabled()) {
        fail("text prompts need a U-Net");
    } else if (model.inChannels != 2) {
        fail("the MLP denoiser works on 2-D points (model.in_channels = 2)");
    } else if (model.mlpHidden < 1 || model.mlpHidden > 8192 || model.mlpBlocks < 1 || model.mlpBlocks > 64) {
        fail("model.mlp_hidden must be 1 … 8192 and model.mlp_blocks 1 … 64");
    }
    if (data.space.isPoints() != model.space().isPoints())
        fail(data.space.isPoints() ? "2-D point data needs the mlp preset" : "image data needs a U-Net preset");
    if (data.space.itemShape() != model.space().itemShape())
        fail("the data (" + data.space.describe() + ") does not match the model (" + model.space().describe() + ")");
    if (model.numClasses < 0 || (model.numClasses > 0 && int(data.classNames.size()) != model.numClasses))
        fail("model.classes does not match the data's class names");
    if (!data.heldOutWords.empty() && !model.text.enabled()) fail("data.held_out_words needs a text model");
    for (const std::string& word : data.heldOutWords)
        if (captionWords(word) != std::vector<std::string>{word}) fail("data.held_out_words: '" + word + "' is not one lower-case word");
    if (train.batchSize < 1 || train.batchSize > 65536) fail("train.batch must be 1 … 65536");
    if (!inRange(train.learningRate, 1e-12, 10)) fail("train.lr must be positive (and at most 10)");
    if (!inRange(train.weightDecay, 0, 10) || !inRange(train.gradClip, 0, 1e9) || train.warmupSteps < 0)
        fail("train.weight_decay, train.grad_clip and train.warmup_steps must be finite and not negative");
    if (!inRange(minSnrGamma, 1e-6, 1e6)) fail("min_snr_gamma must be positive");
    if (!(train.emaDecay >= 0 && train.emaDecay < 1)) fail("train.ema_decay must be in [0, 1)");
    if (!(train.classDropProb >= 0 && train.classDropProb <= 1)) fail("train.class_drop must be in [0, 1]");
}

}  // namespace ddpm
