// ddpm train: trains a denoiser, writing checkpoints, sample grids and metrics.csv.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <unordered_set>
#include <chrono>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/RunProgress.h"
#include "cli/LocalRanks.h"
#include "autoencoder/LatentCodec.h"
#include "conditioning/ClipTextModel.h"
#include "conditioning/PromptEncoding.h"
#include "data/CaptionWords.h"
#include "util/DisplayPath.h"
#include "distributed/DistributedGroup.h"
#include "training/AutoencoderSource.h"
#include "training/Trainer.h"

namespace fs = std::filesystem;

namespace ddpm::cli {

namespace {

// The encoding of the training set on stderr, as a line that counts up.
EncodeProgress encodingProgress() {
    return [](int64_t done, int64_t total) {
        std::fprintf(stderr, "\rencoding the training set: %lld/%lld", (long long)done, (long long)total);
        if (done == total) std::fprintf(stderr, "\n");
        return true;
    };
}

// `space`: the dataset's own, or the latents of the autoencoder it is trained through.
RunConfig configFromArgs(const ArgParser& p, const Dataset& data, const SampleSpace& space) {
    RunConfig c;
    if (p.has("classes") && p.has("unconditional")) throw UsageError("give --classes or --unconditional, not both");
    if (p.has("classes") && !data.hasLabels()) throw UsageError("--classes needs a labelled dataset; " + data.name + " has no labels");
    const std::string preset = p.has("preset") ? p.get("preset") : (data.isPoints() ? "mlp" : "tiny");
    const PresetRecipe recipe = presetRecipe(preset);
    // Prompts: asked for, or a folder's own captions (the built-in sets' are generated: classes stay their default).
    const bool folderCaptions = data.format == "image-folder" && !data.captions.empty();
    const bool text = p.has("text") || (folderCaptions && !p.has("classes") && !p.has("unconditional"));
    if (p.has("text") && (p.has("classes") || p.has("unconditional")))
        throw UsageError("give --text, --classes or --unconditional, not two of them");
    TextConfig named;
    named.encoder = p.has("text") ? p.get("text") : "";
    const bool clip = named.usesClip();
    if (clip && named.clipFolder().empty()) throw UsageError("--text clip:FOLDER names no folder");
    if (p.has("text") && p.get("text") != "builtin" && !clip)
        throw UsageError("--text: unknown encoder '" + p.get("text") + "' (builtin, clip:FOLDER)");
    if (text && data.captions.empty()) throw UsageError("--text needs captions; " + data.name + " has none");
    const bool conditional =
        !text && (p.has("classes") || (recipe.classConditional && data.hasLabels() && !p.has("unconditional")));
    try {
        c.model = ModelConfig::preset(preset, space.isPoints() ? 2 : space.channels, space.isPoints() ? 0 : space.width,
                                      conditional ? data.numClasses() : 0);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    if (p.has("base-channels")) c.model.baseChannels = p.getInt("base-channels", 8, 1024);
    if (p.has("channel-mults")) c.model.channelMults = intListOption(p, "channel-mults");
    if (p.has("res-blocks")) c.model.numResBlocks = p.getInt("res-blocks", 1, 8);
    if (p.has("attention")) c.model.attentionLevels = intListOption(p, "attention");
    if (p.has("groups")) c.model.groups = p.getInt("groups", 1, 64);
    if (p.has("dropout")) c.model.dropout = p.getDouble("dropout", 0, 0.9);
    if (p.has("film")) c.model.film = true;
    if (p.has("layout")) c.model.layout = unetLayoutFromString(p.getChoice("layout"));
    if (clip) {
        // The run keeps the folder's absolute path: it is resumed and sampled from other working folders.
        for (const char* option : {"text-width", "text-layers"})
            if (p.has(option)) throw UsageError(std::string("--") + option + ": a CLIP encoder's size is its own");
        const std::string folder = fs::absolute(named.clipFolder()).lexically_normal().string();
        const ClipTextConfig clipConfig = readClipTextConfig(folder);   // the encoder itself loads with the run
        const int context = p.has("text-context") ? p.getInt("text-context", 3, int(clipConfig.context)) : int(clipConfig.context);
        c.model.useClipText(folder, int(clipConfig.width), context);
    } else if (text) {
        try {
            c.model.useBuiltinText(captionVocabulary(data));
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
        c.model.text.context = p.getInt("text-context", 3, 512);
        c.model.text.width = p.getInt("text-width", 8, 4096);
        c.model.text.layers = p.getInt("text-layers", 1, 48);
    }
    if (text) {
        if (p.has("cross-attention")) c.model.text.crossAttentionLevels = intListOption(p, "cross-attention");
    } else {
        for (const char* option : {"text-context", "text-width", "text-layers", "cross-attention", "hold-out"})
            if (p.has(option)) throw UsageError(std::string("--") + option + " needs --text");
    }

    c.schedule = scheduleFromOptions(p);
    if (!p.has("schedule")) c.schedule.kind = recipe.schedule;
    c.objective = p.has("objective") ? objectiveFromString(p.getChoice("objective")) : recipe.objective;
    c.weighting = lossWeightingFromString(p.getChoice("loss"));
    c.train.batchSize = p.getInt("batch", 1, 65536);
    c.train.learningRate = p.getDouble("lr", 1e-7, 1.0);
    c.train.warmupSteps = p.getInt("warmup", 0, 1000000);
    c.train.decay = p.getChoice("lr-decay") == "cosine" ? LrDecay::Cosine : LrDecay::Constant;
    c.train.gradClip = p.getDouble("clip", 0, 1e6);
    c.train.emaDecay = p.getDouble("ema", 0, 0.999999);
    c.train.precision = precisionFromString(p.getChoice("precision"));
    c.train.classDropProb = p.getDouble("cond-drop", 0, 1);
    c.train.seed = uint64_t(p.getInt64("seed", 0, 1ll << 62));
    c.data = dataInfoOf(data, c.model);
    c.data.space = space;
    if (p.has("hold-out")) {
        if (!isValidUtf8(p.get("hold-out"))) throw UsageError("--hold-out: not valid UTF-8");
        c.data.heldOutWords = captionWords(p.get("hold-out"));
        if (c.data.heldOutWords.empty()) throw UsageError("--hold-out: no words in '" + p.get("hold-out") + "'");
    }
    return validatedOrUsageError(c);
}

// The arguments without --nproc (for the ranks it starts), with --threads dividing the
// cores between them unless given.
Args rankArguments(const Args& args, const ArgParser& p, int count) {
    Args kept{"train"};
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--nproc") {
            ++i;
            continue;
        }
        if (args[i].rfind("--nproc=", 0) == 0) continue;
        kept.push_back(args[i]);
    }
    if (!p.has("threads")) {
        kept.push_back("--threads");
        kept.push_back(std::to_string(std::max(1, int(std::thread::hardware_concurrency()) / count)));
    }
    return kept;
}

// This rank's place when the torchrun variables say it is one of several; else nullopt.
std::optional<DistributedOptions> rankFromEnvironment(const ArgParser& p) {
    std::optional<DistributedOptions> options = DistributedOptions::fromEnvironment();
    if (!options) return std::nullopt;
    options->backend = distributedBackendFromString(p.getChoice("backend"));
    options->timeoutSeconds = p.getDouble("dist-timeout", 1, 1e6);
    return options;
}

// "16+16" or "11+11+10": each rank's share of the batch.
std::string batchSplit(int64_t batch, int ranks) {
    std::string split;
    for (int r = 0; r < ranks; ++r)
        split += (r ? "+" : "") + std::to_string(batch * (r + 1) / ranks - batch * r / ranks);
    return split;
}

}  // namespace

int runTrain(const Args& args) {
    ArgParser p = verbParser("train");
    p.parse(args);
    if (p.has("nproc")) {
        if (std::getenv("WORLD_SIZE")) throw UsageError("--nproc inside a distributed launch (WORLD_SIZE is set): leave one out");
        const int count = p.getInt("nproc", 1, 1024);
        if (!p.has("data")) throw UsageError("--data is required");
        return runLocalRanks(count, rankArguments(args, p, count),
                             p.getDouble("dist-timeout", 1, 1e6));
    }
    const std::optional<DistributedOptions> rank = rankFromEnvironment(p);
    torch::Device device = startTrainingVerb(p);
    if (rank && device.is_cuda()) device = torch::Device(torch::kCUDA, int8_t(rank->localRank));   // a GPU per local rank
    std::unique_ptr<Trainer> trainer;
    if (p.has("resume")) {
        if (p.has("vae")) throw UsageError("--resume trains on with the checkpoint's own autoencoder: leave out --vae");
        CheckpointContents ckpt = loadCheckpoint(p.get("resume"), device);
        const Dataset data = loadDatasetWithProgress(p.get("data"), ckpt.config.data.space.pictureSpace().height);
        trainer = std::make_unique<Trainer>(std::move(ckpt), data, device, encodingProgress());
    } else if (p.has("vae")) {
        auto autoencoder = loadAutoencoderFrom(p.get("vae"), device);
        const AutoencoderConfig& vae = autoencoder->model->config();
        if (p.has("resolution") && p.getInt("resolution", 28, 64) != vae.resolution)
            throw UsageError("--resolution " + p.get("resolution") + " does not fit " + p.get("vae") + ", made for " +
                             std::to_string(vae.resolution) + " px");
        const Dataset data = loadDatasetWithProgress(p.get("data"), vae.resolution);
        try {
            checkAutoencoderFits(vae, data);
        } catch (const std::invalid_argument& e) {
            throw UsageError(p.get("vae") + ": " + e.what());
        }
        trainer = std::make_unique<Trainer>(configFromArgs(p, data, latentSpaceOf(vae)), data, device,
                                            std::move(autoencoder), encodingProgress());
    } else {
        const Dataset data = loadDatasetWithProgress(p.get("data"), p.getInt("resolution", 28, 64));
        RunConfig config = configFromArgs(p, data, sampleSpaceOf(data));
        const auto started = std::chrono::steady_clock::now();
        trainer = std::make_unique<Trainer>(std::move(config), data, device);
        if (trainer->config().model.text.usesClip()) {
            const std::unordered_set<std::string> distinct(data.captions.begin(), data.captions.begin() + data.trainCount);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::fprintf(stderr, "CLIP: %zu distinct captions of %lld encoded once (the run's setup took %.1f s)\n",
                         distinct.size(), (long long)data.trainCount, seconds);
        }
    }
    setHorizonFromOptions(*trainer, p, p.has("resume"));
    const std::shared_ptr<DistributedGroup> group = rank ? std::make_shared<DistributedGroup>(*rank) : nullptr;
    if (group) trainer->joinGroup(group);
    const bool leader = !group || group->isLeader();
    const RunConfig& config = trainer->config();
    if (group && leader)
        std::fprintf(stderr, "data parallel: %d processes (%s), batch %lld split %s%s\n", group->size(),
                     toString(group->options().backend).c_str(), (long long)config.train.batchSize,
                     batchSplit(config.train.batchSize, group->size()).c_str(),
                     trainer->progress().step > 0 ? (", from step " + std::to_string(trainer->progress().step)).c_str() : "");
    if (!leader) {
        RunDriver driver(std::move(trainer), p.get("out"), group);
        runWithProgress(driver, p, false);
        return 0;
    }
    if (trainer->autoencoder())
        std::fprintf(stderr, "latent diffusion: %s through %s\n", config.data.space.describe().c_str(),
                     trainer->autoencoder()->model->config().describe().c_str());
    std::fprintf(stderr, "model: %s, %lld parameters\ndevice: %s, precision %s, %d threads\n",
                 config.model.describe().c_str(), (long long)trainer->model().parameterCount(),
                 device.str().c_str(), toString(config.train.precision).c_str(), torch::get_num_threads());
    printPrecisionNote(config.train.precision, device);

    RunDriver driver(std::move(trainer), p.get("out"), group);
    const double seconds = runWithProgress(driver, p);
    std::cout << "trained " << driver.step() << " steps in "
              << formatDuration(seconds) << "; wrote "
              << driver.folder().checkpoint() << " and " << driver.folder().finalSamples(config.data.space) << "\n";
    return 0;
}

}  // namespace ddpm::cli
