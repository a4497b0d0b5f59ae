// ddpm info DATASET: what a dataset holds.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "autoencoder/AutoencoderFile.h"
#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "data/CaptionWords.h"
#include "data/DatasetLoader.h"
#include "models/Denoiser.h"
#include "util/DisplayPath.h"
#include "training/Checkpoint.h"

namespace ddpm::cli {

namespace {

void printDataset(const Dataset& d) {
    std::cout << "dataset    " << d.name << " (" << d.format << ")\n"
              << "source     " << d.source << "\n";
    if (d.isPoints()) {
        std::cout << "points     " << d.count << " (2-D)\n";
    } else {
        std::cout << "images     " << d.count << ", " << d.width << "x" << d.height << "x" << d.channels
                  << (d.channels == 1 ? " (grey)" : " (RGB)") << "\n";
    }
    if (d.hasLabels()) {
        std::cout << "classes    " << d.numClasses() << "\n";
        const auto counts = d.classCounts();
        for (int c = 0; c < d.numClasses(); ++c)
            std::cout << "  " << std::setw(4) << c << "  " << std::left << std::setw(16) << d.classNames[size_t(c)]
                      << std::right << std::setw(8) << counts[size_t(c)] << "\n";
    } else {
        std::cout << "classes    none (unlabelled)\n";
    }
    std::cout << "split      " << d.trainCount << " train, " << d.heldOutCount() << " held out\n";
    const CaptionSummary captions = summarizeCaptions(d);
    if (captions.captioned == 0) {
        std::cout << "captions   none\n";
    } else {
        std::cout << "captions   " << captions.captioned << " of " << d.count << " items, " << captions.vocabulary
                  << " distinct words\n";
        for (const std::string& example : captions.examples) std::cout << "  \"" << example << "\"\n";
    }
    std::cout << "skipped    " << d.skipped.size() << " file" << (d.skipped.size() == 1 ? "" : "s") << "\n";
    for (const auto& s : d.skipped) std::cout << "  " << s.path << ": " << s.reason << "\n";
}

void printCheckpoint(const std::string& path) {
    const CheckpointContents c = loadCheckpoint(path, torch::kCPU);
    const RunConfig& r = c.config;
    std::cout << "checkpoint " << path << "\n"
              << "model      " << r.model.describe() << "\n"
              << "parameters " << c.model->parameterCount() << "\n"
              << "schedule   " << toString(r.schedule.kind) << ", T = " << r.schedule.timesteps << "\n"
              << "objective  " << toString(r.objective) << ", loss " << toString(r.weighting) << "\n"
              << "data       " << r.data.identity << ", " << r.data.space.describe() << "\n";
    if (c.autoencoder)
        std::cout << "latents    " << c.autoencoder->model->config().describe() << ", scale " << c.autoencoder->latentScale
                  << ", held-out PSNR " << c.autoencoder->heldOutPsnr << " dB\n";
    std::cout << "trained    " << c.progress.step << " steps, " << c.progress.trainedSeconds << " s ("
              << toString(r.train.precision) << ", batch " << r.train.batchSize << ", lr " << r.train.learningRate
              << ", EMA " << r.train.emaDecay << ")\n";
    if (r.model.numClasses > 0) {
        std::cout << "classes    " << r.model.numClasses << ":";
        for (const auto& n : r.data.classNames) std::cout << " " << n;
        std::cout << "\n";
    }
    if (r.model.text.usesClip()) {
        std::cout << "prompts    CLIP text encoder (frozen) from " << escapeNonUtf8(r.model.text.clipFolder()) << ", "
                  << r.model.text.context << " tokens\n";
    } else if (r.model.text.enabled()) {
        std::cout << "prompts    " << r.model.text.words.size() << " words:";
        const size_t shown = std::min<size_t>(r.model.text.words.size(), 24);
        for (size_t i = 0; i < shown; ++i) std::cout << " " << r.model.text.words[i];
        std::cout << (shown < r.model.text.words.size() ? " …\n" : "\n");
    }
    if (!r.data.heldOutWords.empty()) {
        std::cout << "held out   the training captions with all of:";
        for (const auto& w : r.data.heldOutWords) std::cout << " " << w;
        std::cout << "\n";
    }
}

void printAutoencoder(const std::string& path) {
    const AutoencoderCheckpoint c = loadAutoencoderCheckpoint(path, torch::kCPU);
    const AutoencoderTrainingConfig& t = c.config;
    std::cout << "autoencoder " << path << "\n"
              << "model      " << t.model.describe() << "\n"
              << "parameters " << c.autoencoder.model->parameterCount() << "\n"
              << "latents    scale " << c.autoencoder.latentScale << " (unit standard deviation on the training set)\n"
              << "held out   PSNR " << c.autoencoder.heldOutPsnr << " dB (mean latents)\n"
              << "data       " << t.dataIdentity << "\n"
              << "trained    " << c.progress.step << " steps, " << c.progress.trainedSeconds << " s (batch "
              << t.batchSize << ", lr " << t.learningRate << ", KL weight " << t.klWeight << ")\n";
}

void printBuiltins() {
    std::cout << "built-in datasets\n";
    for (const auto& b : builtinDatasets())
        std::cout << "  " << std::left << std::setw(16) << b.name << std::right << b.description
                  << (b.available ? "" : " (not installed)") << "\n";
    std::cout << "\nmodel presets (parameters for 28x28x1 / 32x32x3)\n";
    for (const auto& name : ModelConfig::presetNames()) {
        const bool mlp = name == "mlp";
        const int64_t grey = makeBlankDenoiser(ModelConfig::preset(name, mlp ? 2 : 1, mlp ? 0 : 28))->parameterCount();
        const int64_t rgb = makeBlankDenoiser(ModelConfig::preset(name, mlp ? 2 : 3, mlp ? 0 : 32))->parameterCount();
        std::cout << "  " << std::left << std::setw(12) << name << std::right << std::setw(12) << grey << std::setw(12)
                  << rgb << "   " << ModelConfig::preset(name, mlp ? 2 : 1, mlp ? 0 : 28).describe() << "\n";
    }
}

}  // namespace

int runInfo(const Args& args) {
    ArgParser p = verbParser("info");
    if (args.empty()) {
        printBuiltins();
        return 0;
    }
    p.parse(args);
    if (looksLikeCheckpoint(p.get("DATASET"))) {
        if (isAutoencoderCheckpoint(p.get("DATASET"))) printAutoencoder(p.get("DATASET"));
        else printCheckpoint(p.get("DATASET"));
        return 0;
    }
    LoadOptions options;
    options.resolution = p.getInt("resolution", 28, 64);
    printDataset(loadDataset(p.get("DATASET"), options));
    return 0;
}

}  // namespace ddpm::cli
