// ddpm train-vae: trains the autoencoder a latent diffusion model works through,
// with ddpm train's conventions (run folder, checkpoints, metrics.csv, exact resume).
#include <cstdio>
#include <iostream>

#include "autoencoder/AutoencoderTrainer.h"
#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/RunProgress.h"

namespace ddpm::cli {

namespace {

AutoencoderTrainingConfig configFromArgs(const ArgParser& p, const Dataset& data) {
    if (data.isPoints()) throw UsageError("an autoencoder needs images; " + data.name + " holds 2-D points");
    AutoencoderTrainingConfig c;
    c.model.inChannels = data.channels;
    c.model.resolution = data.width;
    c.model.factor = p.getInt("factor", 2, 8);
    c.model.latentChannels = p.getInt("latent-channels", 1, 64);
    if (p.has("base-channels")) c.model.baseChannels = p.getInt("base-channels", 8, 512);
    if (p.has("groups")) c.model.groups = p.getInt("groups", 1, 64);
    c.batchSize = p.getInt("batch", 1, 4096);
    c.learningRate = p.getDouble("lr", 1e-7, 1.0);
    c.warmupSteps = p.getInt("warmup", 0, 1000000);
    c.klWeight = p.getDouble("kl-weight", 0, 1);
    c.gradClip = p.getDouble("clip", 0, 1e6);
    c.seed = uint64_t(p.getInt64("seed", 0, 1ll << 62));
    return validatedOrUsageError(c);
}

}  // namespace

int runTrainVae(const Args& args) {
    ArgParser p = verbParser("train-vae");
    p.parse(args);
    const torch::Device device = startTrainingVerb(p);
    std::unique_ptr<AutoencoderTrainer> trainer;
    if (p.has("resume")) {
        AutoencoderCheckpoint ckpt = loadAutoencoderCheckpoint(p.get("resume"), device);
        const Dataset data = loadDatasetWithProgress(p.get("data"), ckpt.config.model.resolution);
        trainer = std::make_unique<AutoencoderTrainer>(std::move(ckpt), data, device);
    } else {
        const Dataset data = loadDatasetWithProgress(p.get("data"), p.getInt("resolution", 8, 512));
        trainer = std::make_unique<AutoencoderTrainer>(configFromArgs(p, data), data, device);
    }
    setHorizonFromOptions(*trainer, p, p.has("resume"));
    std::fprintf(stderr, "model: %s, %lld parameters\ndevice: %s, %d threads\n",
                 trainer->config().model.describe().c_str(), (long long)trainer->autoencoder().model->parameterCount(),
                 device.str().c_str(), torch::get_num_threads());

    AutoencoderTrainer* job = trainer.get();
    RunDriver driver(std::move(trainer), p.get("out"));
    const double seconds = runWithProgress(driver, p);
    std::cout << "trained " << driver.step() << " steps in " << formatDuration(seconds) << "; held-out PSNR "
              << job->autoencoder().heldOutPsnr << " dB, latent scale " << job->autoencoder().latentScale << "; wrote "
              << driver.folder().checkpoint() << " and " << driver.folder().reconstructions(driver.step(), true)
              << "\n";
    return 0;
}

}  // namespace ddpm::cli
