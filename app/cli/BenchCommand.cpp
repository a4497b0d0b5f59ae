// ddpm bench: training and sampling speed, peak memory, dataset loading and
// the machine's own ceiling, measured against the plain-PyTorch peer in the
// same run. Every measurement runs in its own child process (`ddpm bench
// --child ...`), so each peak-memory figure belongs to that measurement alone.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "autoencoder/LatentCodec.h"
#include "bench/Benchmarks.h"
#include "cli/ArgParser.h"
#include "cli/ChildProcess.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/LocalRanks.h"
#include "data/DatasetLoader.h"
#include "distributed/DistributedGroup.h"
#include "distributed/GradientAllReduce.h"
#include "models/Precision.h"
#include "random/Generators.h"
#include "training/MetricsFile.h"
#include "training/Trainer.h"
#include "util/AtomicFile.h"
#include "util/ResourcePaths.h"
#include "util/Threads.h"

namespace fs = std::filesystem;

namespace ddpm::cli {

namespace {

constexpr int kBenchBatch = 64;       // the peer's --bench batch
constexpr int kBenchResolution = 28;  // built-in digits; the peer preset pads to 32 inside, as the peer does
constexpr int kDigitClasses = 10;

// The network as ddpm train builds it on the digits: tiny takes their labels.
ModelConfig benchModel(const std::string& preset) {
    return ModelConfig::preset(preset, 1, kBenchResolution, presetRecipe(preset).classConditional ? kDigitClasses : 0);
}

using Values = std::map<std::string, double>;

// What a --child train or sample measures: tiny on the digits, on the emoji's pixels, or on
// the latents of a freshly initialised default autoencoder (speed does not depend on its
// weights; its encoding of the emoji is cached after the first run).
struct BenchRun {
    Dataset data;
    RunConfig config;
    std::shared_ptr<TrainedAutoencoder> autoencoder;
};

BenchRun benchRun(const std::string& space, const std::string& preset, Precision precision) {
    BenchRun run;
    if (space == "digits") {
        run.data = loadDataset("mnist");
        run.config.model = benchModel(preset);
        run.config.data = dataInfoOf(run.data, run.config.model);
    } else {
        LoadOptions options;
        options.resolution = 64;
        run.data = loadDataset("emoji", options);
        SampleSpace modelSpace = sampleSpaceOf(run.data);
        if (space == "emoji-latents") {
            AutoencoderConfig autoencoder;
            autoencoder.resolution = 64;
            at::Generator init = makeGenerator(0, RandomStream::WeightInit);
            run.autoencoder = std::make_shared<TrainedAutoencoder>();
            run.autoencoder->model = makeAutoencoder(autoencoder, init);
            run.autoencoder->model->eval();
            modelSpace = latentSpaceOf(autoencoder);
        }
        const int classes = presetRecipe(preset).classConditional ? run.data.numClasses() : 0;
        run.config.model = ModelConfig::preset(preset, modelSpace.channels, modelSpace.height, classes);
        run.config.data = dataInfoOf(run.data, run.config.model);
        run.config.data.space = modelSpace;
    }
    run.config.train.batchSize = kBenchBatch;
    run.config.train.precision = precision;
    return run;
}

// ---- child side: one measurement, printed as "result KEY VALUE" lines ----

void printResult(const std::string& key, double value) { std::printf("result %s %.6f\n", key.c_str(), value); }

int runChildMeasurement(const ArgParser& p) {
    const std::string kind = p.get("child");
    configureThreads(p.getInt("threads", 1, 1024));
    const auto precision = precisionFromString(p.getChoice("precision"));
    const std::string model = p.getChoice("model");
    if (kind == "ceiling") {
        const int n = p.getInt("matrix", 64, 16384);
        // The better of the two routes to the same arithmetic: BLAS products and oneDNN convolutions.
        for (const auto& [name, dtype] : {std::pair{"fp32", torch::kFloat}, std::pair{"bf16", torch::kBFloat16}}) {
            const double viaBlas = matmulGflops(dtype, n, 5), viaConvolution = convolutionGflops(dtype, 5);
            printResult(std::string(name) + "_mm", viaBlas);
            printResult(std::string(name) + "_conv", viaConvolution);
            printResult(name, std::max(viaBlas, viaConvolution));
        }
    } else if (kind == "train") {
        const BenchRun run = benchRun(p.getChoice("space"), model, precision);
        const auto r = measureTraining(run.config, run.data, 3, p.getInt("steps", 1, 100000), run.autoencoder);
        printResult("images_per_s", r.imagesPerSecond);
        printResult("gflops", r.gflops);
        printResult("forward_macs_per_image", r.forwardMultiplyAddsPerImage);
    } else if (kind == "sample") {
        const BenchRun run = benchRun(p.getChoice("space"), model, precision);
        at::Generator init = makeGenerator(0, RandomStream::WeightInit);
        auto denoiser = makeDenoiser(run.config.model, init);
        denoiser->eval();
        SamplingParameters sc;
        sc.sampler = samplerKindFromString(p.getChoice("sampler"));
        sc.count = p.getInt("count", 1, 4096);
        sc.precision = precision;
        printResult("seconds", measureSampling(*denoiser, run.config, sc, run.autoencoder.get()));
    } else if (kind == "allreduce") {
        // The launcher side starts the ranks, which inherit its output; rank 0 prints.
        if (!std::getenv("WORLD_SIZE"))
            return runLocalRanks(p.getInt("nproc", 2, 64),
                                 {"bench", "--child", "allreduce", "--steps", p.get("steps"), "--threads", "1"}, 60);
        DistributedOptions options = *DistributedOptions::fromEnvironment();
        options.timeoutSeconds = 60;
        DistributedGroup group(options);
        at::Generator init = makeGenerator(0, RandomStream::WeightInit);
        const auto model = makeDenoiser(benchModel("tiny"), init);
        GradientAllReduce allReduce(group, model->parameters());
        const int count = p.getInt("steps", 1, 100000);
        std::vector<double> milliseconds;
        for (int i = 0; i < count + 3; ++i) {   // 3 to warm up
            group.barrier();
            const auto start = std::chrono::steady_clock::now();
            allReduce.prepare();
            allReduce.finish();   // no backward: every gradient counts as zeros, the whole buffer travels
            milliseconds.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        }
        std::sort(milliseconds.begin() + 3, milliseconds.end());
        if (group.isLeader()) {
            printResult("allreduce_ms", milliseconds[3 + size_t(count) / 2]);
            printResult("gradient_bytes", double(allReduce.bytes()));
            printResult("buckets", double(allReduce.bucketCount()));
        }
    } else if (kind == "load") {
        LoadOptions options;
        options.resolution = 64;
        const auto start = std::chrono::steady_clock::now();
        const Dataset d = loadDataset(p.get("data"), options);
        printResult("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        printResult("images", double(d.count));
    } else {
        throw UsageError("--child: unknown measurement '" + kind + "'");
    }
    return 0;
}

// ---- parent side ----

struct Measurement {
    Values values;
    double peakRssMb = 0;
    std::string error;   // empty when it worked
    bool ok() const { return error.empty(); }
};

std::string lastLine(const std::string& text) {
    std::string line, last;
    std::istringstream in(text);
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last;
}

Measurement measure(const std::vector<std::string>& childArgs) {
    std::vector<std::string> argv = {selfExecutable(), "bench"};
    argv.insert(argv.end(), childArgs.begin(), childArgs.end());
    const ChildResult r = runChild(argv);
    Measurement m;
    m.peakRssMb = r.peakRssMb;
    std::istringstream in(r.output);
    std::string word, key;
    double value;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        if (fields >> word >> key >> value && word == "result") m.values[key] = value;
    }
    if (r.exitCode != 0) m.error = lastLine(r.output).empty() ? "exit status " + std::to_string(r.exitCode) : lastLine(r.output);
    return m;
}

// Images per second of a real `ddpm train` (tiny on the digits, batch 32) with `extra` options,
// from its metrics.csv: the steps after the first 10, by their training clock. 0 when it failed.
double trainedImagesPerSecond(const std::vector<std::string>& extra, const std::string& steps, std::string& error) {
    const fs::path out = fs::temp_directory_path() / ("ddpm-bench-train-" + std::to_string(::getpid()));
    std::vector<std::string> argv = {selfExecutable(), "train", "--data", "mnist", "--preset", "tiny", "--steps", steps,
                                     "--save-every", "0", "--out", out.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const ChildResult r = runChild(argv);
    const auto rows = readMetricsRows((out / "metrics.csv").string());
    std::error_code ec;
    fs::remove_all(out, ec);
    if (r.exitCode != 0 || rows.size() < 20) {
        error = lastLine(r.output);
        return 0;
    }
    const MetricsRow &first = rows[9], &last = rows.back();
    return 32.0 * double(last.step - first.step) / (last.wallSeconds - first.wallSeconds);
}

// Competing programs for the "under load" rows: processes that only spin, one per core,
// for as long as the object lives.
class BusyProcesses {
public:
    explicit BusyProcesses(int count) {
        for (int i = 0; i < count; ++i) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                for (volatile uint64_t spins = 0;; spins = spins + 1) {
                }
            }
            if (pid > 0) pids_.push_back(pid);
        }
    }
    ~BusyProcesses() {
        for (pid_t pid : pids_) ::kill(pid, SIGKILL);
        for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
    }
    BusyProcesses(const BusyProcesses&) = delete;
    BusyProcesses& operator=(const BusyProcesses&) = delete;

private:
    std::vector<pid_t> pids_;
};

// The peer's own figures from "key=value" words of its output.
Values parsePeer(const std::string& output) {
    Values v;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        const bool ddim = line.rfind("ddim50", 0) == 0;
        std::istringstream words(line);
        std::string w;
        while (words >> w) {
            const auto eq = w.find('=');
            if (eq == std::string::npos) continue;
            try {
                v[(ddim ? "ddim50_" : "") + w.substr(0, eq)] = std::stod(w.substr(eq + 1));
            } catch (const std::exception&) {
            }
        }
    }
    return v;
}

// bench/reference_ddpm.py in the data directory (share/ddpm-studio beside bin/,
// installed and in the build tree alike).
fs::path shippedReference() { return dataDirectory() / "bench" / "reference_ddpm.py"; }

// The plain-PyTorch reference: --peer FILE, else the shipped one; empty when it is not there.
std::string findPeer(const ArgParser& p) {
    if (p.has("peer")) return p.get("peer");
    const fs::path reference = shippedReference();
    std::error_code ec;
    return fs::is_regular_file(reference, ec) ? reference.string() : std::string();
}

// n JPEGs of 96x96 RGB, each its own gradient and disc, in a fresh folder.
void writeJpegFolder(const fs::path& folder, int n) {
    fs::create_directories(folder);
    for (int i = 0; i < n; ++i) {
        cv::Mat image(96, 96, CV_8UC3);
        for (int y = 0; y < 96; ++y)
            for (int x = 0; x < 96; ++x)
                image.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar((x + i) % 256), uchar((y * 2 + i * 7) % 256), uchar(i % 256));
        cv::circle(image, {20 + i % 56, 20 + (i / 56) % 56}, 10 + i % 20, cv::Scalar(255 - i % 256, 128, i % 200), -1);
        char name[32];
        std::snprintf(name, sizeof name, "%05d.jpg", i);
        if (!cv::imwrite((folder / name).string(), image)) throw std::runtime_error((folder / name).string() + ": cannot write");
    }
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

struct Row {
    std::string what, threads, result, peer, ratio, gflops, share, rss;
};

void printTable(const std::vector<Row>& rows) {
    std::cout << "| measurement | threads | result | reference | ratio | achieved GFLOP/s | share of ceiling | peak RSS |\n"
                 "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows)
        std::cout << "| " << r.what << " | " << r.threads << " | " << r.result << " | " << r.peer << " | " << r.ratio
                  << " | " << r.gflops << " | " << r.share << " | " << r.rss << " |\n";
}

std::string jsonObject(const Values& v) {
    std::string s = "{";
    for (const auto& [key, value] : v) s += (s.size() > 1 ? ", \"" : "\"") + key + "\": " + fixed(value, 4);
    return s + "}";
}

}  // namespace

int runBench(const Args& args) {
    // Its options and help are in the option table (cli/OptionTable.cpp).
    ArgParser p = verbParser("bench");
    p.parse(args);
    if (p.has("child")) return runChildMeasurement(p);

    const bool quick = p.has("quick");
    const int allThreads = int(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<int> threadCounts = {allThreads};
    if (!quick && allThreads > 1) threadCounts.insert(threadCounts.begin(), 1);
    const std::string steps = quick ? "5" : "20";
    std::vector<Row> rows;
    std::map<std::string, Values> json;
    auto mb = [](double v) { return fixed(v, 0) + " MB"; };
    auto progress = [](const std::string& what) { std::fprintf(stderr, "bench: %s\n", what.c_str()); };

    // The machine's ceiling, per thread count.
    std::map<int, Values> ceiling;
    for (int threads : threadCounts) {
        progress("arithmetic ceiling, " + std::to_string(threads) + " thread(s)");
        const auto m = measure({"--child", "ceiling", "--threads", std::to_string(threads), "--matrix", quick ? "1024" : "2048"});
        if (!m.ok()) throw std::runtime_error("ceiling measurement failed: " + m.error);
        ceiling[threads] = m.values;
        for (const std::string dtype : {"fp32", "bf16"})
            rows.push_back({"arithmetic ceiling " + dtype, std::to_string(threads),
                            fixed(m.values.at(dtype), 0) + " GFLOP/s (mm " + fixed(m.values.at(dtype + "_mm"), 0) +
                                ", 3x3 conv " + fixed(m.values.at(dtype + "_conv"), 0) + ")",
                            "", "", "", "", ""});
        json[threads == allThreads ? "ceiling_gflops" : "ceiling_gflops_1_thread"] = m.values;
    }

    // The peer, when it can be found.
    const std::string peer = findPeer(p);
    std::map<int, Values> peerValues;
    if (peer.empty()) {
        std::cerr << "bench: the reference script was not found (" << shippedReference().string()
                  << "; install it or give --peer FILE); the reference columns stay empty\n";
    } else {
        for (int threads : threadCounts) {
            progress("peer " + peer + ", " + std::to_string(threads) + " thread(s)");
            std::vector<std::string> argv = {p.get("python"), peer, "--bench", "--threads", std::to_string(threads),
                                             "--steps", steps};
            if (threads == allThreads) argv.push_back("--sample-seconds");
            const ChildResult r = runChild(argv);
            if (r.exitCode != 0) {
                std::cerr << "bench: the reference failed: " << lastLine(r.output) << "\n";
                continue;
            }
            peerValues[threads] = parsePeer(r.output);
            peerValues[threads]["peak_rss_mb"] = r.peakRssMb;
        }
    }

    // Training throughput: tiny and the peer's architecture, fp32 and bf16.
    for (int threads : threadCounts) {
        const std::string suffix = threads == allThreads ? "" : "_1_thread";
        for (const char* model : {"peer", "tiny"}) {
            for (const char* precision : {"fp32", "bf16"}) {
                const std::string key = std::string(model == std::string("peer") ? "peer-arch" : model) + "-" + precision;
                progress("training " + key + ", " + std::to_string(threads) + " thread(s)");
                const auto m = measure({"--child", "train", "--model", model, "--precision", precision, "--threads",
                                        std::to_string(threads), "--steps", steps});
                Row row{"train " + key + " (batch 64)", std::to_string(threads), "", "", "", "", "", mb(m.peakRssMb)};
                if (!m.ok()) {
                    row.result = "failed: " + m.error;
                    rows.push_back(row);
                    continue;
                }
                const double ips = m.values.at("images_per_s"), gflops = m.values.at("gflops");
                row.result = fixed(ips, 1) + " img/s";
                row.gflops = fixed(gflops, 1);
                row.share = fixed(100 * gflops / ceiling[threads].at(precision), 1) + "%";
                const auto pv = peerValues.find(threads);
                if (model == std::string("peer") && pv != peerValues.end() && pv->second.count("images_per_s")) {
                    const double peerIps = pv->second.at("images_per_s");
                    row.peer = fixed(peerIps, 1) + " img/s (fp32)";
                    row.ratio = fixed(ips / peerIps, 2) + "x";
                }
                rows.push_back(row);
                json["train_images_per_s" + suffix][key] = ips;
                json["train_gflops" + suffix][key] = gflops;
                json["train_share_of_ceiling" + suffix][key] = gflops / ceiling[threads].at(precision);
                json["peak_rss_mb" + suffix][key] = m.peakRssMb;
            }
        }
        const auto pv = peerValues.find(threads);
        if (pv != peerValues.end() && pv->second.count("images_per_s")) {
            json["peer" + suffix]["train_images_per_s"] = pv->second.at("images_per_s");
            json["peer" + suffix]["peak_rss_mb"] = pv->second.at("peak_rss_mb");
        }
    }

    // Sampling, with all threads: DDIM-50 for 64 digits, DDPM-1000 for 16.
    const std::string all = std::to_string(allThreads);
    const auto peerAll = peerValues.find(allThreads);
    const double peerDdim = peerAll != peerValues.end() && peerAll->second.count("ddim50_seconds")
                                ? peerAll->second.at("ddim50_seconds")
                                : 0;
    if (peerDdim > 0) json["ddim50_64_seconds"]["peer"] = peerDdim;
    struct SampleRun {
        const char *model, *precision, *sampler, *count, *key;
    };
    std::vector<SampleRun> sampleRuns = {{"tiny", "fp32", "ddim", "64", "tiny"},
                                         {"tiny", "bf16", "ddim", "64", "tiny-bf16"},
                                         {"peer", "fp32", "ddim", "64", "peer-arch"}};
    if (!quick) sampleRuns.push_back({"tiny", "fp32", "ddpm", "16", "tiny"});
    for (const auto& s : sampleRuns) {
        const bool ddim = s.sampler == std::string("ddim");
        progress(std::string(ddim ? "DDIM-50" : "DDPM-1000") + " sampling " + s.key);
        const auto m = measure({"--child", "sample", "--model", s.model, "--precision", s.precision, "--sampler",
                                s.sampler, "--count", s.count, "--threads", all});
        Row row{std::string(ddim ? "DDIM-50, " : "DDPM-1000, ") + s.count + " images, " + s.key, all, "", "", "", "", "",
                mb(m.peakRssMb)};
        if (m.ok()) {
            const double seconds = m.values.at("seconds");
            row.result = fixed(seconds, 2) + " s";
            if (ddim && peerDdim > 0) {
                row.peer = fixed(peerDdim, 2) + " s";
                row.ratio = fixed(seconds / peerDdim, 2) + "x the time";
            }
            json[ddim ? "ddim50_64_seconds" : "ddpm1000_16_seconds"][s.key] = seconds;
        } else {
            row.result = "failed: " + m.error;
        }
        rows.push_back(row);
    }

    // Latent against pixel diffusion: tiny on the emoji at 64x64x3 and on 16x16x4 latents of
    // them, with the machine's default precision; interleaved, averaged over the rounds.
    {
        const std::string precision = toString(defaultPrecision());
        const int rounds = quick ? 1 : 2;
        Values sums;
        std::string failure;
        for (int round = 0; round < rounds && failure.empty(); ++round) {
            for (const std::string space : {"emoji", "emoji-latents"}) {
                progress("latent against pixel: training and DDIM-50 on " + space + ", round " + std::to_string(round + 1));
                const auto train = measure({"--child", "train", "--space", space, "--precision", precision, "--threads",
                                            all, "--steps", steps});
                const auto draw = measure({"--child", "sample", "--space", space, "--precision", precision, "--sampler",
                                           "ddim", "--count", "64", "--threads", all});
                if (!train.ok() || !draw.ok()) {
                    failure = train.ok() ? draw.error : train.error;
                    break;
                }
                sums[space + "_images_per_s"] += train.values.at("images_per_s") / rounds;
                sums[space + "_ddim50_64_seconds"] += draw.values.at("seconds") / rounds;
                sums[space + "_peak_rss_mb"] = std::max(sums[space + "_peak_rss_mb"], train.peakRssMb);
            }
        }
        if (!failure.empty()) {
            rows.push_back({"latent against pixel, emoji 64 px", all, "failed: " + failure, "", "", "", "", ""});
        } else {
            const double pixelIps = sums["emoji_images_per_s"], latentIps = sums["emoji-latents_images_per_s"];
            const double pixelSeconds = sums["emoji_ddim50_64_seconds"], latentSeconds = sums["emoji-latents_ddim50_64_seconds"];
            rows.push_back({"train tiny-" + precision + ", emoji 64x64x3 pixels (batch 64)", all, fixed(pixelIps, 1) + " img/s",
                            "", "", "", "", mb(sums["emoji_peak_rss_mb"])});
            rows.push_back({"train tiny-" + precision + ", emoji 16x16x4 latents (batch 64)", all,
                            fixed(latentIps, 1) + " img/s", fixed(pixelIps, 1) + " img/s (pixels)",
                            fixed(latentIps / pixelIps, 1) + "x", "", "", mb(sums["emoji-latents_peak_rss_mb"])});
            rows.push_back({"DDIM-50, 64 emoji, tiny-" + precision + " on pixels", all, fixed(pixelSeconds, 2) + " s", "", "",
                            "", "", ""});
            rows.push_back({"DDIM-50, 64 emoji, tiny-" + precision + " on latents, decoding included", all,
                            fixed(latentSeconds, 2) + " s", fixed(pixelSeconds, 2) + " s (pixels)",
                            fixed(latentSeconds / pixelSeconds, 2) + "x the time", "", "", ""});
            json["latent_against_pixel"] = sums;
            json["latent_against_pixel"]["train_speedup"] = latentIps / pixelIps;
            json["latent_against_pixel"]["ddim50_time_ratio"] = latentSeconds / pixelSeconds;
        }
    }

    // Data parallel on this machine (ddpm train --nproc, c10d over loopback): one process with
    // every thread against one process per core with one thread each, interleaved; and the
    // all-reduce of tiny's gradients, which a run on several machines adds to each step.
    if (allThreads > 1) {
        const int rounds = quick ? 1 : 2;
        const std::string trainSteps = quick ? "40" : "100";
        double oneProcess = 0, ranks = 0;
        std::string failure;
        for (int round = 0; round < rounds && failure.empty(); ++round) {
            progress("data parallel: 1 process x " + all + " threads, round " + std::to_string(round + 1));
            oneProcess += trainedImagesPerSecond({"--threads", all}, trainSteps, failure) / rounds;
            if (!failure.empty()) break;
            progress("data parallel: " + all + " processes x 1 thread, round " + std::to_string(round + 1));
            ranks += trainedImagesPerSecond({"--nproc", all, "--threads", "1"}, trainSteps, failure) / rounds;
        }
        progress("data parallel: all-reduce of the gradients over loopback");
        const auto allReduce = measure({"--child", "allreduce", "--nproc", all, "--steps", quick ? "20" : "50"});
        if (!failure.empty() || !allReduce.ok()) {
            rows.push_back({"data parallel, tiny on the digits", all, "failed: " + (failure.empty() ? allReduce.error : failure),
                            "", "", "", "", ""});
        } else {
            rows.push_back({"train tiny (batch 32), 1 process", all, fixed(oneProcess, 1) + " img/s", "", "", "", "", ""});
            rows.push_back({"train tiny (batch 32), " + all + " processes x 1 thread (--nproc)", all, fixed(ranks, 1) + " img/s",
                            fixed(oneProcess, 1) + " img/s (1 process)", fixed(ranks / oneProcess, 2) + "x", "", "", ""});
            rows.push_back({"all-reduce of tiny's gradients, " + all + " ranks, loopback", all,
                            fixed(allReduce.values.at("allreduce_ms"), 2) + " ms (" +
                                fixed(allReduce.values.at("gradient_bytes") / 1e6, 2) + " MB, " +
                                fixed(allReduce.values.at("buckets"), 0) + " buckets)",
                            "", "", "", "", ""});
            json["data_parallel"] = {{"one_process_images_per_s", oneProcess},
                                     {"processes_images_per_s", ranks},
                                     {"allreduce_ms", allReduce.values.at("allreduce_ms")},
                                     {"gradient_bytes", allReduce.values.at("gradient_bytes")}};
        }
    }

    // Under load: tiny training and DDIM sampling next to one busy process per core, against
    // the quiet machine, interleaved; with the passive OpenMP waiting ddpm sets and with
    // libgomp's default (spin, then sleep), which the children get through the environment.
    // In this CPU's default precision: what a user's run gets.
    const std::string precision = toString(defaultPrecision());
    struct LoadCase {
        std::string name;
        std::vector<std::string> child;
        double (*rate)(const Values&);   // work per second
        std::string unit;
    };
    const std::vector<LoadCase> loadCases = {
        {"train tiny-" + precision + " (batch 64)",
         {"--child", "train", "--model", "tiny", "--precision", precision, "--threads", all, "--steps", steps},
         [](const Values& v) { return v.at("images_per_s"); },
         "img/s"},
        {"DDIM-50, 64 images, tiny-" + precision,
         {"--child", "sample", "--model", "tiny", "--precision", precision, "--sampler", "ddim", "--count", "64", "--threads", all},
         [](const Values& v) { return 64 / v.at("seconds"); },
         "img/s"}};
    const int repeats = quick ? 1 : 2;
    for (const auto& loadCase : loadCases) {
        for (const bool passive : {true, false}) {
            if (passive) ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
            else ::unsetenv("OMP_WAIT_POLICY");
            const std::string policy = passive ? "passive" : "libgomp's default";
            double quietSum = 0, loadedSum = 0;
            std::string failure;
            for (int r = 0; r < repeats && failure.empty(); ++r) {
                progress(loadCase.name + ", " + policy + " OpenMP waits, quiet then beside " + all + " busy processes");
                const auto quiet = measure(loadCase.child);
                Measurement loaded;
                {
                    BusyProcesses busy(allThreads);
                    loaded = measure(loadCase.child);
                }
                if (!quiet.ok() || !loaded.ok()) failure = quiet.ok() ? loaded.error : quiet.error;
                else quietSum += loadCase.rate(quiet.values), loadedSum += loadCase.rate(loaded.values);
            }
            Row row{loadCase.name + " under load, " + policy + " OpenMP waits", all, "", "", "", "", "", ""};
            if (failure.empty()) {
                const double quiet = quietSum / repeats, loaded = loadedSum / repeats;
                row.result = fixed(quiet, 1) + " " + loadCase.unit + " quiet, " + fixed(loaded, 1) + " loaded: " +
                             fixed(100 * loaded / quiet, 0) + "%";
                const std::string key = loadCase.child[1] + (passive ? "_passive" : "_default");
                json["under_load"][key + "_quiet"] = quiet;
                json["under_load"][key + "_loaded"] = loaded;
                json["under_load"][key + "_share"] = loaded / quiet;
            } else {
                row.result = "failed: " + failure;
            }
            rows.push_back(row);
        }
    }
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);

    // Loading: the 70,000 Fashion-MNIST images and a generated folder of JPEGs.
    const int jpegs = quick ? 500 : 5000;
    const fs::path folder = fs::temp_directory_path() / ("ddpm-bench-jpegs-" + std::to_string(::getpid()));
    progress("writing " + std::to_string(jpegs) + " JPEGs to " + folder.string());
    writeJpegFolder(folder, jpegs);
    for (const auto& [name, source] : std::vector<std::pair<std::string, std::string>>{
             {"fashion-mnist", "fashion-mnist"}, {"jpeg-folder-" + std::to_string(jpegs), folder.string()}}) {
        progress("loading " + name);
        const auto m = measure({"--child", "load", "--data", source, "--threads", all});
        Row row{"load " + name, all, "", "", "", "", "", mb(m.peakRssMb)};
        if (m.ok()) {
            const double seconds = m.values.at("seconds"), images = m.values.at("images");
            row.result = fixed(seconds, 2) + " s (" + fixed(images / seconds, 0) + " images/s, " + fixed(images, 0) + ")";
            json["load_seconds"][name] = seconds;
        } else {
            row.result = "failed: " + m.error;
        }
        rows.push_back(row);
    }
    std::error_code ec;
    fs::remove_all(folder, ec);

    printTable(rows);
    if (p.has("json")) {
        std::string text = "{\n  \"threads\": " + all + ",\n  \"quick\": " + (quick ? "true" : "false");
        if (peerAll != peerValues.end() && peerAll->second.count("images_per_s"))
            text += ",\n  \"peer_train_images_per_s\": " + fixed(peerAll->second.at("images_per_s"), 4);
        for (const auto& [key, values] : json) text += ",\n  \"" + key + "\": " + jsonObject(values);
        text += "\n}\n";
        writeFileAtomically(p.get("json"), [&](const std::string& temporary) {
            std::ofstream out(temporary, std::ios::binary);
            out << text;
            if (!out.flush()) throw std::runtime_error(p.get("json") + ": cannot write");
        });
        std::cout << "\nwrote " << p.get("json") << "\n";
    }
    return 0;
}

}  // namespace ddpm::cli
