// Training: EMA, checkpoints (round trip, exact resume, atomic save, a full
// disk, bad files), run-owned generators (bitwise repeatable with other threads
// busy), the run driver (cadence, files, metrics, stale temporaries, controls
// from another thread), non-finite handling, and a 2-D Gaussian mixture
// learned from scratch.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/torch.h>

#include "util/Threads.h"

#include "data/ToyDatasets.h"
#include "sampling/Sampler.h"
#include "training/Checkpoint.h"
#include "training/MetricsFile.h"
#include "training/RunDriver.h"
#include "training/ShardThreads.h"
#include "training/StepMemory.h"
#include "training/Trainer.h"
#include "util/ArchiveCode.h"
#include "util/AtomicFile.h"
#include "util/ZipDirectory.h"
#include "random/Generators.h"
#include "support/FullDisk.h"
#include "support/TestDatasets.h"
#include "support/TestModels.h"

using namespace ddpm;
using ddpm::test::FullDisk;

namespace {
RunConfig toyRun(const Dataset& data, int batch = 64) {
    RunConfig c;
    c.model = ModelConfig::preset("mlp", 2, 0);
    c.model.mlpHidden = 64;
    c.data = dataInfoOf(data, c.model);
    c.train.batchSize = batch;
    c.train.seed = 3;
    return c;
}

// What the app does on other threads while a run trains (the Denoise and Samples workers
// loading each autosave, previews, evaluation): builds models, samples, and draws from and
// reseeds the process-wide generator. The trainer waits for a round of it before each step.
class BusyNeighbour {
public:
    explicit BusyNeighbour(const RunConfig& run)
        : thread_([this, run] {
              const NoiseSchedule schedule(run.schedule);
              for (uint64_t round = 1; !stop_; ++round) {
                  torch::manual_seed(round);
                  auto model = makeBlankDenoiser(run.model);   // LibTorch's layers draw their weights
                  SamplingParameters p;
                  p.steps = 2;
                  p.count = 8;
                  p.seed = round;
                  sample(*model, schedule, run.objective, run.data.space, p);
                  torch::randn({256});
                  rounds_ = round;
              }
          }) {}
    ~BusyNeighbour() {
        stop_ = true;
        thread_.join();
    }
    void waitForAnotherRound() const {
        const uint64_t seen = rounds_;
        while (rounds_ == seen) std::this_thread::yield();
    }

private:
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> rounds_{0};
    std::thread thread_;
};

// Losses of `steps` steps, each after a round of the neighbour when there is one.
std::vector<double> trainSteps(Trainer& trainer, int steps, const BusyNeighbour* neighbour) {
    std::vector<double> losses;
    for (int i = 0; i < steps; ++i) {
        if (neighbour) neighbour->waitForAnotherRound();
        losses.push_back(trainer.step().loss);
    }
    return losses;
}

// The steps of metrics.csv's rows, in file order, after checking its one header.
void readMetricsSteps(const std::string& path, std::vector<int64_t>& steps) {
    std::ifstream in(path);
    std::string line;
    QVERIFY(std::getline(in, line));
    QCOMPARE(line, std::string(kMetricsHeader));
    while (std::getline(in, line)) steps.push_back(std::strtoll(line.c_str(), nullptr, 10));
}

std::vector<int64_t> stepsUpTo(int64_t last) {
    std::vector<int64_t> steps;
    for (int64_t s = 1; s <= last; ++s) steps.push_back(s);
    return steps;
}

// Continues the run folder's checkpoint to `horizon` steps with a fresh driver in the same folder.
RunOutcome resumeRun(const RunFolder& run, const Dataset& data, int64_t horizon) {
    auto resumed = std::make_unique<Trainer>(loadCheckpoint(run.checkpoint(), torch::kCPU), data, torch::kCPU);
    resumed->setHorizon(horizon, 0);
    RunDriver driver(std::move(resumed), run.root());
    TrainingControl control;
    return driver.run(control, {});
}

// Bitwise, not QCOMPARE's fuzzy comparison of doubles.
void verifySameLosses(const std::vector<double>& actual, const std::vector<double>& expected) {
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
        QVERIFY2(actual[i] == expected[i],
                 qPrintable(QString("step %1: %2 vs %3").arg(i + 1).arg(actual[i], 0, 'g', 17).arg(expected[i], 0, 'g', 17)));
}

bool sameWeights(Denoiser& a, Denoiser& b) {
    const auto pa = a.parameters(), pb = b.parameters();
    for (size_t i = 0; i < pa.size(); ++i)
        if (!torch::equal(pa[i], pb[i])) return false;
    return true;
}
}  // namespace

class TestTraining : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const char* name) const { return (tmp_.path() + "/" + name).toStdString(); }
    Dataset moons_ = makeToyDataset("moons", 2000, 1);

private slots:
    void initTestCase() { configureThreads(0); }

    void stepsAndSamplingLeaveTheProcessWideGeneratorAlone() {
        // A small U-Net with dropout on eight 28×28 images, so that dropout masks are drawn too.
        Dataset images;
        images.name = "noise";
        images.kind = DatasetKind::Images;
        images.count = images.trainCount = 8;
        images.channels = 1;
        images.height = images.width = 28;
        images.pixels.resize(8 * 28 * 28);
        for (size_t i = 0; i < images.pixels.size(); ++i) images.pixels[i] = uint8_t(i * 37 % 251);
        RunConfig run;
        run.model = ModelConfig::preset("tiny", 1, 28);
        run.model.baseChannels = 8;
        run.model.groups = 4;
        run.model.channelMults = {1, 2};
        run.model.attentionLevels = {};
        run.model.dropout = 0.2;
        run.data = dataInfoOf(images, run.model);
        run.train.batchSize = 4;
        Trainer trainer(run, images, torch::kCPU);
        at::Generator global = at::detail::getDefaultCPUGenerator();
        const torch::Tensor before = global.get_state();
        for (int i = 0; i < 3; ++i) trainer.step();
        SamplingParameters p;
        p.steps = 3;
        p.count = 2;
        p.eta = 1.0;
        sample(trainer.emaModel(), trainer.schedule(), run.objective, run.data.space, p);
        QVERIFY(torch::equal(global.get_state(), before));
    }

    void otherThreadsDrawingRandomNumbersChangeNothing() {
        const RunConfig run = toyRun(moons_);
        Trainer alone(run, moons_, torch::kCPU);
        const auto expected = trainSteps(alone, 8, nullptr);

        BusyNeighbour neighbour(run);
        Trainer busy(run, moons_, torch::kCPU);
        verifySameLosses(trainSteps(busy, 8, &neighbour), expected);
        QVERIFY(sameWeights(busy.model(), alone.model()));
        QVERIFY(sameWeights(busy.emaModel(), alone.emaModel()));
    }

    void resumeWithOtherThreadsBusyContinuesTheSameRun() {
        const RunConfig run = toyRun(moons_);
        Trainer straight(run, moons_, torch::kCPU);
        const auto expected = trainSteps(straight, 8, nullptr);

        BusyNeighbour neighbour(run);
        std::vector<double> losses;
        {
            Trainer first(run, moons_, torch::kCPU);
            losses = trainSteps(first, 4, &neighbour);
            first.save(path("busy-resume.ckpt"));
        }
        Trainer resumed(loadCheckpoint(path("busy-resume.ckpt"), torch::kCPU), moons_, torch::kCPU);
        const auto rest = trainSteps(resumed, 4, &neighbour);
        losses.insert(losses.end(), rest.begin(), rest.end());
        verifySameLosses(losses, expected);
        QVERIFY(sameWeights(resumed.model(), straight.model()));
    }

    void aSeedDecidesTheInitialWeights() {
        const RunConfig run = toyRun(moons_);
        torch::manual_seed(1);
        Trainer a(run, moons_, torch::kCPU);
        torch::manual_seed(2);   // the process-wide generator plays no part
        Trainer b(run, moons_, torch::kCPU);
        QVERIFY(sameWeights(a.model(), b.model()));
        RunConfig other = run;
        other.train.seed = run.train.seed + 1;
        Trainer c(other, moons_, torch::kCPU);
        QVERIFY(!sameWeights(a.model(), c.model()));
    }

    void aFullDiskIsAnErrorNamingTheFolderAndKeepsTheOldCheckpoint() {
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.step();
        const std::string file = path("full-disk.ckpt");
        trainer.save(file);
        trainer.step();
        std::string error;
        {
            FullDisk full(16 * 1024);
            try {
                trainer.save(file);
            } catch (const std::runtime_error& e) {
                error = e.what();
            }
        }
        QVERIFY2(error.find("disk full") != std::string::npos, error.c_str());
        QVERIFY2(error.find(tmp_.path().toStdString()) != std::string::npos, error.c_str());   // the folder
        QCOMPARE(loadCheckpoint(file, torch::kCPU).progress.step, int64_t(1));                // the old one, intact
        for (const auto& entry : std::filesystem::directory_iterator(tmp_.path().toStdString()))
            QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().c_str());
    }

    // The app's way: an autosave on a full disk pauses the run and says why; Resume saves again.
    void aFullDiskDuringAnAutosavePausesTheRun() {
        auto trainer = std::make_unique<Trainer>(toyRun(moons_, 16), moons_, torch::kCPU);
        trainer->setHorizon(12, 0);
        RunDriver driver(std::move(trainer), path("full-disk-run"));
        RunCadence cadence;
        cadence.saveEverySteps = 5;
        driver.setCadence(cadence);
        FullDisk full(4 * 1024);
        TrainingControl control;
        std::atomic<bool> told{false};
        std::string reason;
        RunEvents events;
        events.onSaveFailed = [&](const std::string& why) {
            reason = why;
            told = true;
        };
        RunOutcome outcome = RunOutcome::Stopped;
        std::thread loop([&] { outcome = driver.run(control, events); });
        QTRY_VERIFY_WITH_TIMEOUT(told.load(), 30000);
        QVERIFY(control.isPaused());
        QCOMPARE(driver.step(), int64_t(5));   // held at the failed save
        full.lift();
        control.resume();
        loop.join();
        QVERIFY2(reason.find("disk full") != std::string::npos, reason.c_str());
        QVERIFY(outcome == RunOutcome::Finished);
        QCOMPARE(loadCheckpoint(path("full-disk-run") + "/model.ckpt", torch::kCPU).progress.step, int64_t(12));
    }

    void metricsRowsAreReadBackWholeAndUpToAStep() {
        const std::string file = path("read-metrics.csv");
        std::ofstream(file) << kMetricsHeader << "\n1,0.1,0.5,0.001,2,100\n2,0.2,0.4,0.002,1.5,110\n3,0.3,0.3,0.003,1,120\n4,0.4,0.";
        const auto rows = readMetricsRows(file);
        QCOMPARE(rows.size(), size_t(3));   // the torn fourth row is left out
        QCOMPARE(rows[1].step, int64_t(2));
        QCOMPARE(rows[1].loss, 0.4);
        QCOMPARE(rows[2].imagesPerSecond, 120.0);
        QCOMPARE(readMetricsRows(file, 2).size(), size_t(2));
        std::ofstream(path("other.csv")) << "a,b\n1,2\n";
        QVERIFY(readMetricsRows(path("other.csv")).empty());
    }

    void staleTemporariesOfDeadProcessesAreRemoved() {
        const std::string folder = path("stale");
        std::filesystem::create_directories(folder + "/checkpoints");
        const std::vector<std::string> dead = {folder + "/.model.ckpt.tmp-999999998",
                                               folder + "/checkpoints/.step-000020.ckpt.tmp-999999997"};
        const std::vector<std::string> kept = {folder + "/.model.ckpt.tmp-" + std::to_string(::getpid()),   // alive
                                               folder + "/notes.tmp-999999998", folder + "/.x.tmp-abc"};
        for (const auto& f : dead) std::ofstream(f) << "half a checkpoint";
        for (const auto& f : kept) std::ofstream(f) << "keep";
        auto trainer = std::make_unique<Trainer>(toyRun(moons_), moons_, torch::kCPU);
        RunDriver driver(std::move(trainer), folder);
        for (const auto& f : dead) QVERIFY2(!std::filesystem::exists(f), f.c_str());
        for (const auto& f : kept) QVERIFY2(std::filesystem::exists(f), f.c_str());
    }

    void resumeKeepsTheMetricsRowsTheCheckpointCovers() {
        const std::string folder = path("metrics-run");
        {
            auto trainer = std::make_unique<Trainer>(toyRun(moons_, 16), moons_, torch::kCPU);
            trainer->setHorizon(30, 0);
            RunDriver driver(std::move(trainer), folder);
            TrainingControl control;
            QVERIFY(driver.run(control, {}) == RunOutcome::Finished);
        }
        const RunFolder run(folder);
        // What a crash after the checkpoint leaves: rows beyond it, the last one torn.
        std::ofstream(run.metrics(), std::ios::app) << "31,1.0,0.5,0.001,0.2,100.00\n32,1.1,0.5,0.001,0.2,100.00\n33,1.2";
        QVERIFY(resumeRun(run, moons_, 35) == RunOutcome::Finished);
        std::vector<int64_t> steps;
        readMetricsSteps(run.metrics(), steps);
        QCOMPARE(steps, stepsUpTo(35));   // each once
    }

    void emaArithmetic() {
        QCOMPARE(Ema::effectiveDecay(0.999, 0), 0.1);
        QCOMPARE(Ema::effectiveDecay(0.999, 90), 91.0 / 100.0);
        QCOMPARE(Ema::effectiveDecay(0.999, 100000), 0.999);
        auto model = test::seededDenoiser(ModelConfig::preset("mlp", 2, 0));
        Ema ema(*model, test::seededDenoiser(ModelConfig::preset("mlp", 2, 0)), 0.999);
        auto p = model->parameters()[0];
        QVERIFY(torch::equal(ema.model().parameters()[0], p));   // starts as a copy
        const auto before = ema.model().parameters()[0].clone();
        { torch::NoGradGuard g; p.add_(1.0); }
        ema.update(*model, 90);   // d = 0.91
        QVERIFY(torch::allclose(ema.model().parameters()[0], 0.91 * before + 0.09 * p, 1e-5, 1e-6));
    }

    void checkpointRoundTrip() {
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.setHorizon(20, 0);
        for (int i = 0; i < 5; ++i) trainer.step();
        trainer.save(path("round.ckpt"));
        QVERIFY(looksLikeCheckpoint(path("round.ckpt")));
        CheckpointContents c = loadCheckpoint(path("round.ckpt"), torch::kCPU);
        QCOMPARE(c.progress.step, int64_t(5));
        QCOMPARE(c.progress.horizonSteps, int64_t(20));
        const TrainingProgress light = readCheckpointProgress(path("round.ckpt"));   // without the models
        QCOMPARE(light.step, int64_t(5));
        QCOMPARE(light.horizonSteps, int64_t(20));
        QCOMPARE(light.trainedSeconds, c.progress.trainedSeconds);
        QCOMPARE(c.config.serialize(), trainer.config().serialize());
        auto saved = c.ema->parameters(), live = trainer.emaModel().parameters();
        for (size_t i = 0; i < saved.size(); ++i) QVERIFY(torch::equal(saved[i], live[i]));
        QVERIFY(!torch::equal(c.model->parameters()[0], c.ema->parameters()[0]));   // both copies are kept
    }

    void resumeGivesTheSameLosses() {
        Trainer straight(toyRun(moons_), moons_, torch::kCPU);
        straight.setHorizon(12, 0);
        std::vector<double> expected;
        while (!straight.finished()) expected.push_back(straight.step().loss);
        QCOMPARE(int(expected.size()), 12);

        Trainer first(toyRun(moons_), moons_, torch::kCPU);
        first.setHorizon(12, 0);
        std::vector<double> losses = trainSteps(first, 6, nullptr);
        first.save(path("resume.ckpt"));
        Trainer resumed(loadCheckpoint(path("resume.ckpt"), torch::kCPU), moons_, torch::kCPU);
        const auto rest = trainSteps(resumed, 6, nullptr);
        losses.insert(losses.end(), rest.begin(), rest.end());
        verifySameLosses(losses, expected);
        QVERIFY(resumed.finished());
    }

    void interruptedSaveKeepsTheOldFile() {
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.step();
        trainer.save(path("atomic.ckpt"));
        // A save that dies after writing part of the new file, before the rename.
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, writeFileAtomically(path("atomic.ckpt"), [](const std::string& tmp) {
            std::ofstream(tmp) << "half a checkpoint";
            throw std::runtime_error("power cut");
        }));
        QCOMPARE(loadCheckpoint(path("atomic.ckpt"), torch::kCPU).progress.step, int64_t(1));
        QCOMPARE(QDir(tmp_.path()).entryList(QStringList() << ".atomic.ckpt.tmp*", QDir::Hidden | QDir::Files).size(), 0);
    }

    void badCheckpointsSayWhatIsWrong() {
        auto expectError = [&](const std::string& file, const char* reason) {
            try {
                loadCheckpoint(file, torch::kCPU);
                QFAIL("no error");
            } catch (const CheckpointError& e) {
                QVERIFY2(QString(e.what()).contains(reason), e.what());
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(file)), e.what());
            }
            QVERIFY_THROWS_EXCEPTION(CheckpointError, readCheckpointProgress(file));
        };
        expectError(path("missing.ckpt"), "no such checkpoint file");
        std::ofstream(path("empty.ckpt")).close();
        expectError(path("empty.ckpt"), "empty");
        std::ofstream(path("junk.ckpt")) << "this is not a zip archive at all";
        expectError(path("junk.ckpt"), "not a DDPM Studio checkpoint");
        // A truncated real checkpoint.
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.save(path("whole.ckpt"));
        std::ifstream in(path("whole.ckpt"), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(path("cut.ckpt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        expectError(path("cut.ckpt"), "not a DDPM Studio checkpoint");
    }

    void damagedCheckpointsAreRefused() {
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.step();
        trainer.save(path("whole.ckpt"));
        std::ifstream in(path("whole.ckpt"), std::ios::binary);
        const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // The record that holds the model's largest weight, found by its bytes.
        torch::Tensor largest;
        for (const auto& p : trainer.model().parameters())
            if (!largest.defined() || p.numel() > largest.numel()) largest = p.detach().contiguous();
        const std::string weightBytes(static_cast<const char*>(largest.data_ptr()), largest.nbytes());
        const ZipRecord* weights = nullptr;
        const auto records = readZipDirectory(path("whole.ckpt"));
        for (const ZipRecord& r : records)
            if (whole.compare(size_t(r.dataOffset), size_t(r.size), weightBytes) == 0) weights = &r;
        QVERIFY(weights);
        const size_t flipAt = size_t(weights->dataOffset + weights->size / 2);

        auto expectRefused = [&](const char* name, const std::string& bytes, const char* words) {
            std::ofstream(path(name), std::ios::binary) << bytes;
            try {
                loadCheckpoint(path(name), torch::kCPU);
                QFAIL(name);
            } catch (const CheckpointError& e) {
                QVERIFY2(QString(e.what()).contains(words) && QString(e.what()).contains(QString(name)),
                         e.what());
            }
        };
        // One flipped byte: the record's own CRC-32 (which LibTorch does not check) finds it.
        std::string flipped = whole;
        flipped[flipAt] = char(flipped[flipAt] ^ 0x40);
        expectRefused("flipped.ckpt", flipped, "fails its CRC-32 check");
        // The same change with the ZIP's CRCs made to match, as a tool that rewrites archives
        // would: the weights' own checksum still finds it.
        auto littleEndian = [](uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
        const uint32_t newCrc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(flipped.data() + weights->dataOffset),
                                               uInt(weights->size)));
        for (size_t at = 0; (at = flipped.find(littleEndian(weights->crc32), at)) != std::string::npos; at += 4)
            flipped.replace(at, 4, littleEndian(newCrc));
        expectRefused("rezipped.ckpt", flipped, "fail their checksum");

        // Weights of another shape than the configuration says: named, with both shapes.
        RunConfig narrow = toyRun(moons_);
        narrow.model.mlpHidden = 32;
        expectRefused("narrow.ckpt", [&] {
            torch::optim::AdamW optimizer(trainer.model().parameters());
            saveCheckpoint(path("narrow-source.ckpt"), narrow, trainer.model(), trainer.emaModel(), optimizer,
                           TrainingProgress{}, 0, {generatorState(makeGenerator(1)), {}}, nullptr);
            std::ifstream source(path("narrow-source.ckpt"), std::ios::binary);
            return std::string((std::istreambuf_iterator<char>(source)), std::istreambuf_iterator<char>());
        }(), "the model needs [32");

        // A configuration that would ask for gigabytes per layer is refused before anything is built.
        RunConfig huge = toyRun(moons_);
        huge.model = ModelConfig::preset("tiny", 1, 28, 0);
        huge.data = DataInfo{};
        huge.data.space = huge.model.space();
        huge.model.baseChannels = 1024;
        huge.model.channelMults = {1, 4};
        huge.model.attentionLevels = {};
        try {
            huge.validate();
            QFAIL("a 4096-channel level was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("at most 2048"), e.what());
        }
    }

    // A LibTorch archive may carry TorchScript that runs while it loads (__setstate__): such a file
    // is refused before LibTorch reads it; the declarations DDPM Studio's own files hold pass.
    void checkpointsCarryingCodeAreRefused() {
        torch::jit::Module scripted("__torch__.Module");
        scripted.register_attribute("format", c10::StringType::get(), std::string("ddpm-studio"));
        scripted.define(R"(
def __getstate__(self) -> str:
    return self.format
def __setstate__(self, state: str) -> None:
    print("code from the checkpoint ran")
    self.format = state
)");
        scripted.save(path("code.ckpt"));
        try {
            loadCheckpoint(path("code.ckpt"), torch::kCPU);
            QFAIL("a checkpoint with a __setstate__ was read");
        } catch (const CheckpointError& e) {
            QVERIFY2(QString(e.what()).contains("holds code, not declarations (line") &&
                         QString(e.what()).contains("code.ckpt") && QString(e.what()).contains("def __getstate__"),
                     e.what());
        }

        for (const char* declaration : {"class Module(Module):", "  __parameters__ = [\"weight\", \"bias\", ]",
                                         "  __buffers__ = []", "  __annotations__[\"params/0\"] = str",
                                         "  betas : Tuple[float, float]", "  model : __torch__.___torch_mangle_0.Module",
                                         "  eps : Final[float] = 1.0000000000000001e-05", ""})
            requireDeclarationsOnly("archive/code/__torch__.py", declaration);
        for (const char* code : {"  def forward(self, x: Tensor) -> Tensor:", "@torch.jit.export",
                                 "  scale = torch.ones(3)", "  eps : Final[float] = float(\"nan\")",
                                 "class Module(NamedTuple):", "  __parameters__ = [\"a\" + \"b\"]",
                                 "  model : Module; x = 1", "\tdef f(self):"})
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, requireDeclarationsOnly("archive/code/__torch__.py", code));
        // LibTorch's ZIP reader finds records with case ignored: so does the check.
        QVERIFY(isArchiveCodeRecord("archive/CODE/__torch__.PY") && isArchiveCodeRecord("archive/data.PKL"));
        QVERIFY(!isArchiveCodeRecord("archive/data/0") && !isArchiveCodeRecord("archive/version"));
        // Bytes after the end record (another end record could hide there) and a flatbuffer's mark are refused.
        Trainer trainer(toyRun(moons_), moons_, torch::kCPU);
        trainer.save(path("plain.ckpt"));
        std::ifstream in(path("plain.ckpt"), std::ios::binary);
        const std::string plain((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(path("trailing.ckpt"), std::ios::binary) << plain << "junk";
        QVERIFY_THROWS_EXCEPTION(CheckpointError, loadCheckpoint(path("trailing.ckpt"), torch::kCPU));
        std::ofstream(path("flatbuffer.ckpt"), std::ios::binary) << plain.substr(0, 4) << "PTMF" << plain.substr(8);
        QVERIFY_THROWS_EXCEPTION(CheckpointError, loadCheckpoint(path("flatbuffer.ckpt"), torch::kCPU));
        QCOMPARE(loadCheckpoint(path("plain.ckpt"), torch::kCPU).progress.step, int64_t(0));
        // A pickle that names a TorchScript custom class, whose compiled-in __setstate__ would take the file's data.
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 requireDeclarationsOnly("archive/data.pkl",
                                                         "\x80\x02" "c__torch__.torch.classes.quantized\nLinearPackedParamsBase\n"));
        requireDeclarationsOnly("archive/data.pkl", "\x80\x02" "c__torch__\nModule\n");
    }

    // The estimate of a step's memory leans low (docs/reliability.md): it refuses batches that cannot
    // fit and lets the usual ones through, images and points alike.
    void batchesThatCannotFitAreRefusedBeforeTraining() {
        const uint64_t gigabyte = 1ull << 30;
        const ModelConfig tiny = ModelConfig::preset("tiny", 1, 28, 10);
        QVERIFY(trainingBytesPerImage(tiny) > 2'000'000 && trainingBytesPerImage(tiny) < 4'000'000);   // measured: 3.9 – 4.8 MB
        requireBatchFitsInMemory(tiny, 256, 1, 1, 4 * gigabyte);
        requireBatchFitsInMemory(ModelConfig::preset("mlp", 2, 0, 0), 65536, 1, 1, 4 * gigabyte);
        // 64 px with attention at full resolution: the (H·W)² weights, but the usual batch still fits.
        ModelConfig wide = ModelConfig::preset("small", 3, 64, 0);
        wide.attentionLevels = {0};
        requireBatchFitsInMemory(wide, 16, 1, 1, 16 * gigabyte);
        try {
            requireBatchFitsInMemory(tiny, 65536, 1, 1, 24 * gigabyte);
            QFAIL("65,536 digits per step were accepted on 24 GB");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("train.batch 65536") && QString(e.what()).contains("24.0 GB"), e.what());
        }
        // Split over processes, each holds its slice: 8 of 64 fit on a machine where all 64 do not,
        // unless the 8 processes share that machine.
        const uint64_t room = 20 * trainingBytesPerImage(tiny);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, requireBatchFitsInMemory(tiny, 64, 1, 1, room));
        requireBatchFitsInMemory(tiny, 64, 8, 1, room);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, requireBatchFitsInMemory(tiny, 64, 8, 8, room));

        const Dataset squares = ddpm::test::squaresDataset(60, 28);
        RunConfig huge = toyRun(moons_);
        huge.model = ModelConfig::preset("tiny", 3, 28, 6);
        huge.data = dataInfoOf(squares, huge.model);
        huge.train.batchSize = 65536;
        if (usableMemoryBytes() >= 65536 * trainingBytesPerImage(tiny)) return;   // a machine with room for it
        try {
            RunDriver driver(std::make_unique<Trainer>(huge, squares, torch::kCPU), path("huge-batch"));
            QFAIL("a run of 65,536 digits per step was started");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("train.batch 65536: a training step"), e.what());
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path("huge-batch"))));   // refused before writing anything
    }

    void shardThreadsRunOneTaskEachOnTheirOwnThreads() {
        QCOMPARE(cpuShardCount(32, 2), 2);
        QCOMPARE(cpuShardCount(31, 2), 1);   // a shard keeps at least kMinShardBatch images
        QCOMPARE(cpuShardCount(64, 1), 1);
        const int callerThreads = at::get_num_threads();
        ShardThreads team(2, 1);
        QCOMPARE(at::get_num_threads(), callerThreads);   // the caller keeps its own
        std::vector<std::thread::id> ids(2);
        std::vector<int> teamThreads(2);
        auto task = [&](int i) {
            return [&, i] {
                ids[size_t(i)] = std::this_thread::get_id();
                (torch::ones({1 << 18}) * 2).sum();   // a parallel kernel first: it must not reset the count
                teamThreads[size_t(i)] = at::get_num_threads();
            };
        };
        team.run({task(0), task(1)});
        QVERIFY(ids[0] != ids[1] && ids[0] != std::this_thread::get_id() && ids[1] != std::this_thread::get_id());
        QCOMPARE(teamThreads, std::vector<int>({1, 1}));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 team.run({[] {}, [] { throw std::runtime_error("shard failed"); }}));
        int ran = 0;
        team.run({[&] { ++ran; }, [] {}});   // still serves after a failure
        QCOMPARE(ran, 1);
    }

    void shardedStepsMatchOneModel() {
        // Two replicas on half a batch each give the whole batch's loss and gradients, up to
        // rounding (in fp32: bf16 rounds differently in kernels for different batch sizes).
        RunConfig run = toyRun(moons_, 32);
        run.train.precision = Precision::Fp32;
        const int threads = at::get_num_threads();
        auto train = [&](int intraOpThreads, std::vector<double>& losses, std::vector<torch::Tensor>& firstGrads) {
            at::set_num_threads(intraOpThreads);
            Trainer trainer(run, moons_, torch::kCPU);
            at::set_num_threads(threads);
            for (int i = 0; i < 4; ++i) {
                losses.push_back(trainer.step().loss);
                if (i == 0)
                    for (const auto& p : trainer.model().parameters()) firstGrads.push_back(p.grad().clone());
            }
            return trainer.shardCount();
        };
        std::vector<double> oneLosses, twoLosses;
        std::vector<torch::Tensor> oneGrads, twoGrads;
        QCOMPARE(train(1, oneLosses, oneGrads), 1);
        QCOMPARE(train(2, twoLosses, twoGrads), 2);
        for (size_t i = 0; i < oneGrads.size(); ++i) QVERIFY(torch::allclose(oneGrads[i], twoGrads[i], 1e-4, 1e-7));
        for (size_t i = 0; i < oneLosses.size(); ++i)   // later steps: Adam amplifies rounding a little
            QVERIFY2(std::abs(oneLosses[i] - twoLosses[i]) < 1e-4 * oneLosses[i],
                     qPrintable(QString("step %1: %2 vs %3").arg(i).arg(oneLosses[i]).arg(twoLosses[i])));
    }

    void lossScalerHalvesOnOverflowAndGrows() {
        LossScaler scaler(1024.0, 3);
        QVERIFY(!scaler.update(false));   // inf/NaN: skip the step, halve S
        QCOMPARE(scaler.currentScale(), 512.0);
        QVERIFY(scaler.update(true));
        QVERIFY(scaler.update(true));
        QCOMPARE(scaler.currentScale(), 512.0);
        QVERIFY(scaler.update(true));     // three clean steps: S doubles
        QCOMPARE(scaler.currentScale(), 1024.0);
        auto w = torch::ones({2}, torch::requires_grad());
        scaler.scale((w * 3).sum()).backward();
        std::vector<torch::Tensor> params = {w};
        scaler.unscale(params);
        QVERIFY(torch::allclose(w.grad(), torch::full({2}, 3.0)));
    }

    void badConfigurationsAreNamed() {
        RunConfig c = toyRun(moons_);
        const std::string text = c.serialize();
        QCOMPARE(RunConfig::deserialize(text).serialize(), text);
        auto expectError = [](const std::string& bad, const char* reason) {
            try {
                RunConfig::deserialize(bad);
                QFAIL("no error");
            } catch (const std::invalid_argument& e) {
                QVERIFY2(QString(e.what()).contains(reason), e.what());
            }
        };
        std::string imagesWithMlp = text;
        imagesWithMlp.replace(imagesWithMlp.find("data.points = 1"), 15, "data.points = 0");
        expectError(imagesWithMlp, "image data needs a U-Net preset");
        std::string badNumber = text;
        badNumber.replace(badNumber.find("train.batch = 64"), 16, "train.batch = lots");
        expectError(badNumber, "'train.batch' is not a whole number");
        expectError(text.substr(0, text.find("objective")), "configuration has no 'objective'");
        // Values a damaged or hand-made file may hold are refused before anything is built from them.
        const auto replaced = [&](const std::string& key, const std::string& value) {
            std::string bad = text;
            const size_t at = bad.find(key + " = ");
            bad.replace(at, bad.find('\n', at) - at, key + " = " + value);
            return bad;
        };
        expectError(replaced("schedule.beta_end", "nan"), "beta_start and beta_end");
        expectError(replaced("model.dropout", "5"), "model.dropout must be in [0, 1)");
        expectError(replaced("model.mlp_hidden", "100000000"), "model.mlp_hidden");
        expectError(replaced("train.batch", "0"), "train.batch must be 1");
        RunConfig image;
        image.model = ModelConfig::preset("tiny", 1, 28);
        image.data.space = image.model.space();
        image.model.channelMults = {1, 0, 2};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, image.validate());
        image.model.channelMults = {1, 2, 2};
        image.model.baseChannels = 1 << 20;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, image.validate());
        expectError("format = something else\n", "unsupported configuration format");
    }

    void nonFiniteLossStopsNamingTheStep() {
        Dataset broken = moons_;
        for (auto& v : broken.points) v = std::nanf("");
        Trainer trainer(toyRun(broken), broken, torch::kCPU);
        try {
            trainer.step();
            QFAIL("no error");
        } catch (const NonFiniteError& e) {
            QCOMPARE(e.step(), int64_t(1));
            QVERIFY(QString(e.what()).contains("non-finite loss at step 1"));
        }
        QCOMPARE(trainer.progress().step, int64_t(0));   // nothing was applied
    }

    void pauseStepResumeCancelFromAnotherThread() {
        auto trainer = std::make_unique<Trainer>(toyRun(moons_, 16), moons_, torch::kCPU);
        trainer->setHorizon(1000000, 0);
        RunDriver driver(std::move(trainer), path("paused-run"));
        TrainingControl control;
        std::atomic<int64_t> steps{0};
        control.pause();
        RunEvents events;
        events.onStep = [&](const StepStats& s) { steps = s.step; };
        RunOutcome outcome = RunOutcome::Finished;
        std::thread worker([&] { outcome = driver.run(control, events); });
        QTest::qWait(100);
        QCOMPARE(steps.load(), int64_t(0));   // paused before the first step
        control.stepOnce();
        QTRY_COMPARE(steps.load(), int64_t(1));
        QTest::qWait(100);
        QCOMPARE(steps.load(), int64_t(1));   // exactly one step
        control.resume();
        QTRY_VERIFY(steps.load() > 20);
        control.pause();
        QTest::qWait(50);
        const int64_t pausedAt = steps.load();
        QTest::qWait(100);
        QVERIFY(steps.load() <= pausedAt + 1);
        control.cancel();
        worker.join();   // cancel ends run() even while paused
        QVERIFY(control.isCancelled());
        QVERIFY(outcome == RunOutcome::Stopped);
        QCOMPARE(driver.step(), steps.load());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(driver.folder().checkpoint())));   // a stop writes no checkpoint
        QVERIFY(driver.hasUnsavedSteps());   // what closing now would lose
        driver.saveCheckpointTo(path("paused-run-saved.ckpt"));
        QVERIFY(!driver.hasUnsavedSteps());
        // metrics.csv holds every step taken, flushed at the stop.
        std::vector<int64_t> rows;
        readMetricsSteps(driver.folder().metrics(), rows);
        QCOMPARE(rows, stepsUpTo(steps.load()));
    }

    void aFinishedRunLeavesItsFilesAndResumesIntoThem() {
        auto trainer = std::make_unique<Trainer>(toyRun(moons_, 16), moons_, torch::kCPU);
        trainer->setHorizon(30, 0);
        const std::string folder = path("driven-run");
        std::vector<std::string> saved;
        int previews = 0;
        {
            RunDriver driver(std::move(trainer), folder);
            RunCadence cadence;
            cadence.previewEvery = 10;
            cadence.saveEverySteps = 20;
            driver.setCadence(cadence);
            TrainingControl control;
            RunEvents events;
            events.onPreview = [&](const torch::Tensor& samples, int64_t) {
                QCOMPARE(samples.sizes(), (std::vector<int64_t>{1000, 2}));
                ++previews;
            };
            events.onSaved = [&](const std::string& checkpoint) { saved.push_back(checkpoint); };
            QVERIFY(!driver.hasUnsavedSteps());   // a fresh run has nothing to lose
            QVERIFY(driver.run(control, events) == RunOutcome::Finished);
            QVERIFY(!driver.hasUnsavedSteps());   // the end saves
        }
        QCOMPARE(previews, 3);   // steps 10, 20, 30
        const RunFolder run(folder);
        QCOMPARE(saved, (std::vector<std::string>{run.checkpoint(), run.checkpoint()}));   // step 20 and the end
        QCOMPARE(run.checkpointFiles(), (std::vector<std::string>{run.snapshot(20), run.snapshot(30), run.checkpoint()}));
        QVERIFY(QFileInfo::exists(QString::fromStdString(run.samples(20, SampleSpace::points()))));
        QVERIFY(QFileInfo::exists(QString::fromStdString(run.finalSamples(SampleSpace::points()))));
        QCOMPARE(loadCheckpoint(run.checkpoint(), torch::kCPU).progress.step, int64_t(30));

        // Resumed for 10 more steps: metrics.csv continues, one header and 40 rows.
        QVERIFY(resumeRun(run, moons_, 40) == RunOutcome::Finished);
        std::vector<int64_t> steps;
        readMetricsSteps(run.metrics(), steps);
        QCOMPARE(steps, stepsUpTo(40));
    }

    // The seed's warm-up: learn an 8-mode Gaussian mixture from scratch.
    void gaussianMixtureFromScratch() {
        const Dataset gmm = makeToyDataset("gmm8", 10000, 0);
        RunConfig c;
        c.model = ModelConfig::preset("mlp", 2, 0);
        c.model.mlpHidden = 128;   // a quarter of the preset's arithmetic learns eight modes as well
        c.data = dataInfoOf(gmm, c.model);
        c.train.batchSize = 256;
        c.train.learningRate = 3e-3;
        c.train.emaDecay = 0.99;   // a short run: average over its last ~100 steps
        Trainer trainer(c, gmm, torch::kCPU);
        trainer.setHorizon(2000, 0);
        while (!trainer.finished()) trainer.step();
        SamplingParameters sc;
        sc.sampler = SamplerKind::Ddim;
        sc.steps = 100;
        sc.count = 4000;
        auto x = sample(trainer.emaModel(), trainer.schedule(), c.objective, c.data.space, sc).contiguous();
        const auto centres = toyModeCentres("gmm8");
        std::vector<int> counts(8, 0);
        int near = 0;
        const float* d = x.data_ptr<float>();
        for (int i = 0; i < 4000; ++i) {
            int best = 0;
            double bestDist = 1e9;
            for (int k = 0; k < 8; ++k) {
                const double dist = std::hypot(d[2 * i] - centres[size_t(k)].first, d[2 * i + 1] - centres[size_t(k)].second);
                if (dist < bestDist) bestDist = dist, best = k;
            }
            ++counts[size_t(best)];
            if (bestDist < 0.25) ++near;
        }
        const auto dataCounts = gmm.classCounts();
        for (int k = 0; k < 8; ++k) {
            const double share = counts[size_t(k)] / 4000.0, dataShare = dataCounts[size_t(k)] / 10000.0;
            QVERIFY2(std::abs(share - dataShare) < 0.04,
                     qPrintable(QString("mode %1: %2 of samples vs %3 of data").arg(k).arg(share).arg(dataShare)));
        }
        QVERIFY2(near > 0.9 * 4000, qPrintable(QString("%1 of 4000 near a mode").arg(near)));
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
