// ddpm train-classifier: the feature network that 'ddpm eval' measures FID and
// KID with, trained on a labelled dataset's train split.
#include <cstdio>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "eval/ClassifierTraining.h"
#include "training/Trainer.h"
#include "util/Threads.h"

namespace ddpm::cli {

int runTrainClassifier(const Args& args) {
    ArgParser p = verbParser("train-classifier");
    p.parse(args);
    if (!p.has("data")) throw UsageError("--data DATASET is required");
    if (!p.has("out")) throw UsageError("-o OUT is required");
    configureThreads(p.getInt("threads", 0, 1024));
    ClassifierTrainConfig config;
    config.epochs = p.getInt("epochs", 1, 1000);
    config.batchSize = p.getInt("batch", 2, 65536);
    config.learningRate = p.getDouble("lr", 1e-7, 10);
    config.maxShift = p.getInt("shift", 0, 16);
    config.width = p.getInt("width", 4, 512);
    config.featureDim = p.getInt("feature-dim", 2, 4096);
    config.seed = uint64_t(p.getInt64("seed", 0, 1ll << 62));
    const torch::Device device = selectDevice(p.getChoice("device"));
    const Dataset data = loadDatasetWithProgress(p.get("data"), p.getInt("resolution", 8, 256));

    const auto record = trainClassifier(data, config, device, [](const ClassifierProgress& e) {
        if (e.heldOutAccuracy < 0)
            std::fprintf(stderr, "\repoch %d/%d  batch %lld/%lld  loss %.4f", e.epoch, e.epochs, (long long)e.batch,
                         (long long)e.batches, e.loss);
        else
            std::fprintf(stderr, "\repoch %d/%d  loss %.4f  held-out accuracy %.2f%%\n", e.epoch, e.epochs, e.loss,
                         100 * e.heldOutAccuracy);
        return true;
    });
    saveClassifier(p.get("out"), record);
    std::printf("held-out accuracy %.2f%% on %lld images of %s\nwrote %s\n", 100 * record.heldOutAccuracy,
                record.heldOutCount, data.name.c_str(), p.get("out").c_str());
    return 0;
}

}  // namespace ddpm::cli
