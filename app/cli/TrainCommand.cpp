// ddpm train: trains a denoiser, writing checkpoints, sample grids and metrics.csv.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/SampleOutput.h"
#include "training/Trainer.h"
#include "util/Threads.h"

namespace ddpm::cli {

namespace {

RunConfig configFromArgs(const ArgParser& p, const Dataset& data) {
    RunConfig c;
    const int resolution = data.isPoints() ? 0 : data.width;
    if (p.has("classes") && p.has("unconditional")) throw UsageError("give --classes or --unconditional, not both");
    if (p.has("classes") && !data.hasLabels()) throw UsageError("--classes needs a labelled dataset; " + data.name + " has no labels");
    const std::string preset = p.has("preset") ? p.get("preset") : (data.isPoints() ? "mlp" : "tiny");
    const PresetRecipe recipe = presetRecipe(preset);
    const bool conditional =
        p.has("classes") || (recipe.classConditional && data.hasLabels() && !p.has("unconditional"));
    try {
        c.model = ModelConfig::preset(preset, data.isPoints() ? 2 : data.channels, resolution,
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
    if (p.has("layout")) c.model.layout = unetLayoutFromString(p.getChoice("layout", {"compact", "ho"}));

    c.schedule = scheduleFromOptions(p);
    if (!p.has("schedule")) c.schedule.kind = recipe.schedule;
    c.objective = p.has("objective") ? objectiveFromString(p.getChoice("objective", {"eps", "x0", "v"})) : recipe.objective;
    c.weighting = lossWeightingFromString(p.getChoice("loss", {"mse", "min-snr"}));
    c.train.batchSize = p.getInt("batch", 1, 65536);
    c.train.learningRate = p.getDouble("lr", 1e-7, 1.0);
    c.train.warmupSteps = p.getInt("warmup", 0, 1000000);
    c.train.decay = p.getChoice("lr-decay", {"cosine", "constant"}) == "cosine" ? LrDecay::Cosine : LrDecay::Constant;
    c.train.gradClip = p.getDouble("clip", 0, 1e6);
    c.train.emaDecay = p.getDouble("ema", 0, 0.999999);
    c.train.precision = precisionFromString(p.getChoice("precision", {"fp32", "bf16", "fp16"}));
    c.train.classDropProb = p.getDouble("cond-drop", 0, 1);
    c.train.seed = uint64_t(p.getInt64("seed", 0, 1ll << 62));
    c.data = dataInfoOf(data, c.model);
    try {
        c.validate();
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return c;
}

// metrics.csv: one row per step, appended (a resumed run continues the file).
class MetricsLog {
public:
    explicit MetricsLog(const std::string& path, bool append) : out_(path, append ? std::ios::app : std::ios::trunc) {
        if (!out_) throw std::runtime_error(path + ": cannot write");
        if (!append || std::filesystem::file_size(path) == 0) out_ << "step,wall_seconds,loss,lr,grad_norm,images_per_s\n";
    }
    void write(const StepStats& s) {
        char line[200];
        std::snprintf(line, sizeof line, "%lld,%.3f,%.6g,%.6g,%.6g,%.2f\n", (long long)s.step, s.elapsedSeconds, s.loss,
                      s.learningRate, s.gradNorm, s.imagesPerSecond);
        out_ << line;
        if (s.step % 50 == 0) out_.flush();
    }

private:
    std::ofstream out_;
};

}  // namespace

int runTrain(const Args& args) {
    const RunConfig defaults;   // the option defaults shown in --help are core's
    auto text = [](double v) {
        std::ostringstream out;
        out << v;
        return out.str();
    };
    ArgParser p("ddpm train --data DATASET [options]",
                "Train a diffusion model. Writes under --out: model.ckpt (model, EMA, optimizer, step, RNG,\n"
                "configuration; replaced atomically), samples-STEP.png grids from the EMA weights, and\n"
                "metrics.csv (step, wall_seconds, loss, lr, grad_norm, images_per_s).");
    p.option("data", "DATASET", "dataset path or built-in name (mnist, fashion-mnist, toy:moons, ...)")
        .option("preset", "NAME", "model preset: tiny, small, ddpm-cifar, peer (images), mlp (2-D toys)")
        .option("steps", "N", "train for N steps", std::to_string(kDefaultTrainingSteps))
        .option("minutes", "M", "train for M minutes of training time instead of a step count")
        .option("batch", "B", "batch size", std::to_string(defaults.train.batchSize))
        .option("lr", "LR", "peak learning rate (AdamW)", text(defaults.train.learningRate))
        .option("warmup", "N", "learning-rate warm-up steps", text(defaults.train.warmupSteps))
        .option("lr-decay", "KIND", "after warm-up: cosine (to 5%) or constant", "cosine")
        .option("clip", "NORM", "gradient-norm clipping (0 = off)", text(defaults.train.gradClip))
        .option("objective", "KIND", "what the model predicts: eps, x0, v (default: v for tiny, eps otherwise)")
        .option("loss", "KIND", "loss weighting: min-snr (gamma 5) or mse", toString(defaults.weighting))
        .option("ema", "DECAY", "EMA decay of the sampling weights", text(defaults.train.emaDecay))
        .option("precision", "P", "fp32, bf16 (CPU or CUDA), fp16 (CUDA, with loss scaling); default bf16 on CPUs with native bf16, else fp32", toString(defaults.train.precision))
        .flag("classes", "class-conditional model, for classifier-free guidance (default for tiny and mlp on labelled data)")
        .flag("unconditional", "no class labels, even where the data has them")
        .option("cond-drop", "P", "share of labels dropped to the null class", text(defaults.train.classDropProb))
        .option("resolution", "R", "image folders: 28, 32 or 64", "32")
        .option("base-channels", "C", "U-Net base width")
        .option("channel-mults", "LIST", "U-Net width multipliers per level, e.g. 1,2,2")
        .option("res-blocks", "N", "U-Net residual blocks per level")
        .option("attention", "LIST", "U-Net levels with self-attention, e.g. 2")
        .option("groups", "G", "GroupNorm groups")
        .option("dropout", "P", "dropout in residual blocks")
        .flag("film", "time embedding as scale-and-shift (FiLM) instead of additive")
        .option("layout", "KIND", "U-Net layout: compact or ho")
        .option("threads", "N", "CPU threads (0 = all)", "0")
        .option("device", "DEV", "cpu, cuda or auto", "auto")
        .option("seed", "S", "random seed", "0")
        .option("out", "DIR", "output folder", "run")
        .option("save-every", "N", "checkpoint and sample grid every N steps (0 = only at the end)", "1000")
        .option("resume", "CKPT", "continue a checkpoint exactly");
    addScheduleOptions(p, " (default: cosine for tiny, linear otherwise)");
    p.parse(args);
    if (!p.has("data")) throw UsageError("--data is required");
    if (p.has("steps") && p.has("minutes")) throw UsageError("give --steps or --minutes, not both");
    configureThreads(p.getInt("threads", 0, 1024));
    const torch::Device device = selectDevice(p.getChoice("device", {"auto", "cpu", "cuda"}));
    const std::string outDir = p.get("out");
    ensureFolder(outDir);
    const std::string checkpointPath = (std::filesystem::path(outDir) / "model.ckpt").string();

    std::unique_ptr<Trainer> trainer;
    if (p.has("resume")) {
        CheckpointContents ckpt = loadCheckpoint(p.get("resume"), device);
        const int resolution = ckpt.config.data.points ? 32 : ckpt.config.data.resolution;
        const Dataset data = loadDatasetWithProgress(p.get("data"), resolution);
        trainer = std::make_unique<Trainer>(std::move(ckpt), data, device);
    } else {
        const Dataset data = loadDatasetWithProgress(p.get("data"), p.getInt("resolution", 28, 64));
        trainer = std::make_unique<Trainer>(configFromArgs(p, data), data, device);
    }
    if (!p.has("resume") || p.has("steps") || p.has("minutes")) {
        if (p.has("minutes")) trainer->setHorizon(0, 60.0 * p.getDouble("minutes", 0.01, 1e6));
        else trainer->setHorizon(trainer->progress().step + p.getInt64("steps", 1, 1ll << 40), 0);
    }
    const RunConfig& config = trainer->config();
    std::fprintf(stderr, "model: %s, %lld parameters\ndevice: %s, precision %s, %d threads\n",
                 config.model.describe().c_str(), (long long)trainer->model().parameterCount(),
                 device.str().c_str(), toString(config.train.precision).c_str(), torch::get_num_threads());

    MetricsLog metrics((std::filesystem::path(outDir) / "metrics.csv").string(), p.has("resume"));
    const int saveEvery = p.getInt("save-every", 0, 1 << 30);
    auto saveAll = [&](const std::string& gridName) {
        trainer->save(checkpointPath);
        return writeSampleGrid(*trainer, (std::filesystem::path(outDir) / gridName).string());
    };
    auto lastPrint = std::chrono::steady_clock::now();
    trainer->run(nullptr, [&](const StepStats& s) {
        metrics.write(s);
        const auto now = std::chrono::steady_clock::now();
        if (now - lastPrint > std::chrono::milliseconds(500) || trainer->finished()) {
            lastPrint = now;
            const double eta = s.progress > 0 ? s.elapsedSeconds * (1 - s.progress) / s.progress : 0;
            std::fprintf(stderr, "\rstep %lld  loss %.4f  lr %.2e  %.0f img/s  %s elapsed  ETA %s   ",
                         (long long)s.step, s.loss, s.learningRate, s.imagesPerSecond,
                         formatDuration(s.elapsedSeconds).c_str(), formatDuration(eta).c_str());
        }
        if (saveEvery > 0 && s.step % saveEvery == 0 && !trainer->finished()) {
            char name[64];
            std::snprintf(name, sizeof name, "samples-%06lld.png", (long long)s.step);
            saveAll(name);
        }
        return true;
    });
    std::fprintf(stderr, "\n");
    const std::string samplesPath = saveAll("samples.png");
    std::cout << "trained " << trainer->progress().step << " steps in " << formatDuration(trainer->progress().trainedSeconds)
              << "; wrote " << checkpointPath << " and " << samplesPath << "\n";
    return 0;
}

}  // namespace ddpm::cli
