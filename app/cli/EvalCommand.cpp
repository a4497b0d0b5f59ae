// ddpm eval: FID, KID and classifier confidence of a checkpoint's samples
// against the held-out split of its dataset.
#include <cstdio>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "eval/Evaluation.h"
#include "training/Checkpoint.h"
#include "util/JsonText.h"
#include "util/Threads.h"

namespace ddpm::cli {

namespace {

void printJson(const EvalResult& r, const SamplerConfig& sc, const std::string& dataset) {
    std::printf("{\"fid\": %.6f, \"kid\": %.8f, \"kid_std\": %.8f, \"n\": %lld, \"reference_n\": %lld, ", r.fid, r.kid,
                r.kidStd, (long long)r.count, (long long)r.referenceCount);
    std::printf("\"extractor\": %s, \"dataset\": %s, ", jsonString(r.extractor).c_str(), jsonString(dataset).c_str());
    if (r.confidentShare >= 0) std::printf("\"confident_share\": %.6f, ", r.confidentShare);
    if (r.classMatchShare >= 0) std::printf("\"class_match_share\": %.6f, ", r.classMatchShare);
    std::printf("\"sampler\": %s, \"steps\": %d, \"seed\": %llu, \"step\": %lld, \"seconds\": %.3f}\n",
                jsonString(toString(sc.kind)).c_str(), sc.steps, (unsigned long long)sc.seed, (long long)r.step,
                r.seconds);
}

void printText(const EvalResult& r, const SamplerConfig& sc, const std::string& dataset) {
    std::printf("extractor   %s\n", r.extractor.c_str());
    std::printf("samples     %lld (%s%s, seed %llu) of the checkpoint at step %lld\n", (long long)r.count,
                toString(sc.kind).c_str(), sc.kind == SamplerKind::Ddim ? (" " + std::to_string(sc.steps) + " steps").c_str() : "",
                (unsigned long long)sc.seed, (long long)r.step);
    std::printf("reference   %lld held-out images of %s\n", (long long)r.referenceCount, dataset.c_str());
    std::printf("FID         %.3f\n", r.fid);
    std::printf("KID         %.5f ± %.5f\n", r.kid, r.kidStd);
    if (r.confidentShare >= 0) std::printf("confident   %.1f%% of samples classified with probability > 0.9\n", 100 * r.confidentShare);
    if (r.classMatchShare >= 0) std::printf("class match %.1f%% of samples classified as the class asked for\n", 100 * r.classMatchShare);
    std::printf("time        %s\n", formatDuration(r.seconds).c_str());
}

}  // namespace

int runEval(const Args& args) {
    ArgParser p("ddpm eval CKPT [options]",
                "Score a checkpoint: draw samples with its EMA weights and compare them with the held-out\n"
                "split of a dataset by FID and KID in a fixed feature space (the dataset's built-in\n"
                "classifier, a classifier from 'ddpm train-classifier', or a TorchScript Inception file).\n"
                "Numbers from different feature networks are not comparable; the extractor is printed.");
    p.positional("CKPT", "checkpoint written by 'ddpm train'")
        .option("data", "DATASET", "reference dataset (default: the one the checkpoint was trained on)")
        .option("count", "N", "samples to draw (default: the held-out size, at most 10000)", "", "n")
        .option("features", "SPEC", "builtin, FILE.classifier, or a TorchScript FILE.pt", "builtin")
        .option("batch", "N", "samples per sampler call", std::to_string(EvalConfig().batchSize))
        .flag("json", "print one JSON object instead of text")
        .option("threads", "N", "CPU threads (0 = all)", "0")
        .option("device", "DEV", "cpu, cuda or auto", "auto");
    addSamplerOptions(p);
    p.parse(args);
    configureThreads(p.getInt("threads", 0, 1024));

    EvalConfig config;
    config.device = p.getChoice("device", {"auto", "cpu", "cuda"});
    config.features = p.get("features");
    config.batchSize = p.getInt("batch", 1, 100000);
    if (p.has("count")) config.count = p.getInt64("count", 2, 10000000);
    // The checkpoint's configuration says which dataset to compare with and whether --class is valid.
    const auto ckpt = loadCheckpoint(p.get("CKPT"), torch::kCPU);
    config.sampler = samplerFromOptions(p, ckpt.config.model.numClasses);
    const std::string dataName = p.has("data") ? p.get("data") : ckpt.config.data.name;
    const Dataset reference = loadDatasetWithProgress(dataName, ckpt.config.data.resolution);

    const bool json = p.has("json");
    const EvalResult r = evaluateCheckpoint(p.get("CKPT"), reference, config, [&](const EvalProgress& e) {
        std::fprintf(stderr, "\r%s %lld/%lld   ", e.stage.c_str(), (long long)e.done, (long long)e.total);
        return true;
    });
    std::fprintf(stderr, "\n");
    if (json) printJson(r, config.sampler, reference.name);
    else printText(r, config.sampler, reference.name);
    return 0;
}

}  // namespace ddpm::cli
