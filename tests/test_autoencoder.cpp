// The autoencoder: shapes at every factor and resolution, the KL term against its
// closed form, a tiny one learning generated pictures, exact resume through the
// run driver (metrics.csv's own columns, the reconstruction grids), the latent
// scale, and bad files and data named with the mismatch.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <torch/torch.h>

#include "autoencoder/AutoencoderTrainer.h"
#include "data/ToyDatasets.h"
#include "image/ImageTensors.h"
#include "random/Generators.h"
#include "training/MetricsFile.h"
#include "training/RunDriver.h"
#include "training/Trainer.h"
#include "support/TestDatasets.h"
#include "support/TestFiles.h"

namespace fs = std::filesystem;
using namespace ddpm;

namespace {

AutoencoderTrainingConfig smallConfig(int resolution) {
    AutoencoderTrainingConfig c;
    c.model.resolution = resolution;
    c.model.baseChannels = 16;
    c.model.groups = 4;
    c.batchSize = 16;
    c.learningRate = 2e-3;
    c.warmupSteps = 10;
    c.seed = 5;
    return c;
}

std::vector<std::string> metricsLines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

class TestAutoencoder : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

private slots:
    void shapesAtEveryFactorAndResolution_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("resolution");
        QTest::addColumn<int>("factor");
        QTest::addColumn<int>("latent");   // latent resolution
        for (int factor : {2, 4, 8}) {
            QTest::addRow("28x28x1 f%d", factor) << 1 << 28 << factor << 32 / factor;   // padded to 32
            QTest::addRow("32x32x3 f%d", factor) << 3 << 32 << factor << 32 / factor;
            QTest::addRow("64x64x3 f%d", factor) << 3 << 64 << factor << 64 / factor;
        }
    }
    void shapesAtEveryFactorAndResolution() {
        QFETCH(int, channels);
        QFETCH(int, resolution);
        QFETCH(int, factor);
        QFETCH(int, latent);
        AutoencoderConfig c;
        c.inChannels = channels;
        c.resolution = resolution;
        c.factor = factor;
        at::Generator g = makeGenerator(1);
        Autoencoder model = makeAutoencoder(c, g);
        QCOMPARE(c.latentResolution(), latent);
        // A few hundred thousand to a few million parameters.
        QVERIFY2(model->parameterCount() > 200000 && model->parameterCount() < 5000000,
                 qPrintable(QString::number(model->parameterCount())));
        torch::NoGradGuard noGrad;
        const auto x = torch::rand({2, channels, resolution, resolution}, g) * 2 - 1;
        const LatentDistribution q = model->encode(x);
        QCOMPARE(q.mean.sizes().vec(), (std::vector<int64_t>{2, 4, latent, latent}));
        QCOMPARE(q.logVariance.sizes().vec(), q.mean.sizes().vec());
        QCOMPARE(model->decode(q.mean).sizes().vec(), x.sizes().vec());
    }

    // KL(N(μ,σ²) ‖ N(0,1)) = −log σ + (σ² + μ²)/2 − ½ per element, averaged.
    void klMatchesClosedForm() {
        at::Generator g = makeGenerator(2);
        LatentDistribution q{torch::randn({3, 4, 5, 5}, g), torch::randn({3, 4, 5, 5}, g)};
        const auto mu = q.mean.to(torch::kDouble), logVar = q.logVariance.to(torch::kDouble);
        double expected = 0;
        const auto m = mu.flatten(), v = logVar.flatten();
        for (int64_t i = 0; i < m.numel(); ++i) {
            const double sigma = std::exp(0.5 * v[i].item<double>()), mean = m[i].item<double>();
            expected += -std::log(sigma) + (sigma * sigma + mean * mean) / 2 - 0.5;
        }
        expected /= double(m.numel());
        QVERIFY(std::abs(q.klPerElement().item<double>() - expected) < 1e-5 * std::abs(expected) + 1e-6);
        // Zero exactly at the prior.
        LatentDistribution prior{torch::zeros({1, 4, 2, 2}), torch::zeros({1, 4, 2, 2})};
        QCOMPARE(prior.klPerElement().item<double>(), 0.0);
    }

    // Seconds of training: a small autoencoder reconstructs held-out squares well, and its
    // latent scale gives unit standard deviation.
    void tinyAutoencoderLearnsGeneratedPictures() {
        const Dataset data = test::squaresDataset(400, 16);
        AutoencoderTrainer trainer(smallConfig(16), data, torch::kCPU);
        const double before = trainer.measureHeldOutPsnr();
        trainer.setHorizon(250, 0);
        while (!trainer.finished()) trainer.step();
        const double after = trainer.measureHeldOutPsnr();
        QVERIFY2(after > 15.0 && after > before + 8, qPrintable(QString("%1 -> %2 dB").arg(before).arg(after)));

        const double scale = trainer.measureLatentScale();
        torch::NoGradGuard noGrad;
        const auto x = toSignedUnit(datasetImages(data, 0, data.trainCount));
        const double std = (trainer.autoencoder().model->encode(x).mean * scale).std().item<double>();
        QVERIFY2(std::abs(std - 1.0) < 0.05, qPrintable(QString::number(std)));
    }

    // Through the run driver: metrics.csv with l1, psnr, kl; reconstruction grids; a resumed run's
    // losses and weights are bit-identical to an uninterrupted one's.
    void runDriverResumesExactly() {
        const Dataset data = test::squaresDataset(120, 16);
        // To step 12, saving every 5 steps; stopped after `stopAfter` (rows beyond the last save stay behind).
        auto runTo = [&](const std::string& folder, bool resume, int64_t stopAfter) {
            std::unique_ptr<AutoencoderTrainer> job =
                resume ? std::make_unique<AutoencoderTrainer>(
                             loadAutoencoderCheckpoint(RunFolder(folder).checkpoint(), torch::kCPU), data, torch::kCPU)
                       : std::make_unique<AutoencoderTrainer>(smallConfig(16), data, torch::kCPU);
            job->setHorizon(12, 0);
            RunDriver driver(std::move(job), folder);
            RunCadence cadence;
            cadence.saveEverySteps = 5;
            driver.setCadence(cadence);
            TrainingControl control;
            RunEvents events;
            events.onStep = [&](const StepStats& s) {
                if (s.step == stopAfter) control.cancel();
            };
            return driver.run(control, events);
        };
        QCOMPARE(runTo(path("straight"), false, -1), RunOutcome::Finished);
        QCOMPARE(runTo(path("resumed"), false, 7), RunOutcome::Stopped);
        QCOMPARE(loadAutoencoderCheckpoint(RunFolder(path("resumed")).checkpoint(), torch::kCPU).progress.step, int64_t(5));
        QCOMPARE(runTo(path("resumed"), true, -1), RunOutcome::Finished);

        const auto straight = metricsLines(RunFolder(path("straight")).metrics());
        const auto resumed = metricsLines(RunFolder(path("resumed")).metrics());
        QCOMPARE(straight.front(), metricsHeader({"l1", "psnr", "kl"}));
        QCOMPARE(int(straight.size()), 13);
        QCOMPARE(int(resumed.size()), 13);
        // Losses, L1, PSNR and KL equal; the wall-clock columns differ.
        auto lossColumns = [](const std::string& line) {
            std::vector<std::string> fields;
            std::stringstream in(line);
            for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
            return std::vector<std::string>{fields[0], fields[2], fields[3], fields[4], fields[6], fields[7], fields[8]};
        };
        for (size_t i = 1; i < straight.size(); ++i) QCOMPARE(lossColumns(resumed[i]), lossColumns(straight[i]));
        const auto rows = readMetricsRows(RunFolder(path("resumed")).metrics());
        QCOMPARE(int(rows.size()), 12);
        QCOMPARE(int(rows.back().extra.size()), 3);

        const auto a = loadAutoencoderCheckpoint(RunFolder(path("straight")).checkpoint(), torch::kCPU);
        const auto b = loadAutoencoderCheckpoint(RunFolder(path("resumed")).checkpoint(), torch::kCPU);
        QCOMPARE(a.progress.step, int64_t(12));
        const auto pa = a.autoencoder.model->parameters(), pb = b.autoencoder.model->parameters();
        for (size_t i = 0; i < pa.size(); ++i) QVERIFY(torch::equal(pa[i], pb[i]));
        QCOMPARE(a.autoencoder.latentScale, b.autoencoder.latentScale);
        QVERIFY(a.autoencoder.heldOutPsnr > 5);

        for (const std::string& file : {"reconstructions-000005.png", "reconstructions-000010.png", "reconstructions.png",
                                        "checkpoints/step-000010.ckpt"})
            QVERIFY2(fs::exists(fs::path(path("straight")) / file), file.c_str());
    }

    void badFilesAndDataAreNamed() {
        const Dataset data = test::squaresDataset(40, 16);
        AutoencoderTrainer trainer(smallConfig(16), data, torch::kCPU);
        trainer.save(path("vae.ckpt"));
        QVERIFY(isAutoencoderCheckpoint(path("vae.ckpt")));

        auto expectError = [](const std::function<void()>& f, const std::string& fragment) {
            try {
                f();
                QFAIL(("no error; expected " + fragment).c_str());
            } catch (const std::exception& e) {
                QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
            }
        };
        // A diffusion checkpoint is not an autoencoder, and the other way round.
        expectError([&] { loadCheckpoint(path("vae.ckpt"), torch::kCPU); }, "an autoencoder");
        const Dataset moons = makeToyDataset("moons", 200, 1);
        RunConfig run;
        run.model = ModelConfig::preset("mlp", 2, 0);
        run.model.mlpHidden = 16;
        run.data = dataInfoOf(moons, run.model);
        Trainer(run, moons, torch::kCPU).save(path("diffusion.ckpt"));
        QVERIFY(!isAutoencoderCheckpoint(path("diffusion.ckpt")));
        expectError([&] { loadAutoencoderCheckpoint(path("diffusion.ckpt"), torch::kCPU); }, "not an autoencoder");
        expectError([&] { loadAutoencoderCheckpoint(path("missing.ckpt"), torch::kCPU); }, "missing.ckpt");

        // One flipped byte in the weights, with the ZIP's own CRCs left as they were.
        auto bytes = test::readBytes(path("vae.ckpt"));
        bytes[bytes.size() / 2] ^= 0x40;
        test::writeBytes(path("flipped.ckpt"), bytes);
        expectError([&] { loadAutoencoderCheckpoint(path("flipped.ckpt"), torch::kCPU); }, "flipped.ckpt");

        // Data that does not fit: other resolution, grey, points.
        const auto checkpoint = [&] { return loadAutoencoderCheckpoint(path("vae.ckpt"), torch::kCPU); };
        expectError([&] { AutoencoderTrainer(checkpoint(), test::squaresDataset(40, 32), torch::kCPU); }, "does not fit the autoencoder");
        expectError([&] { AutoencoderTrainer(smallConfig(16), moons, torch::kCPU); }, "2-D points");
        AutoencoderTrainingConfig badFactor = smallConfig(16);
        badFactor.model.factor = 3;
        expectError([&] { AutoencoderTrainer(badFactor, data, torch::kCPU); }, "factor 2, 4 or 8");
    }
};

QTEST_GUILESS_MAIN(TestAutoencoder)
#include "test_autoencoder.moc"
