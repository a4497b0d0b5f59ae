// Latent diffusion: the latent sample space and its run configuration, the
// training set encoded once and cached, a U-Net trained on latents end to end
// with exact resume, a self-contained checkpoint (it samples pictures with no
// autoencoder file, and survives export and import), and every mismatch named.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>

#include <torch/torch.h>

#include "autoencoder/LatentCodec.h"
#include "export/CheckpointExport.h"
#include "export/CheckpointImport.h"
#include "image/ImageTensors.h"
#include "models/ModuleState.h"
#include "random/Generators.h"
#include "sampling/Sampler.h"
#include "training/AutoencoderSource.h"
#include "training/Trainer.h"
#include "support/TestDatasets.h"

namespace fs = std::filesystem;
using namespace ddpm;

namespace {

constexpr int kResolution = 16;   // 16×16×3 squares -> 4×4×4 latents at factor 4

// An untrained autoencoder: the latent path does not depend on how well it reconstructs.
std::shared_ptr<TrainedAutoencoder> smallAutoencoder(int factor = 4) {
    AutoencoderConfig c;
    c.resolution = kResolution;
    c.factor = factor;
    c.baseChannels = 16;
    c.groups = 4;
    at::Generator init = makeGenerator(3, RandomStream::WeightInit);
    auto autoencoder = std::make_shared<TrainedAutoencoder>();
    autoencoder->model = makeAutoencoder(c, init);
    autoencoder->model->eval();
    autoencoder->latentScale = 0.8;
    return autoencoder;
}

// A class-conditional tiny U-Net on the autoencoder's latents of `data`.
RunConfig latentRun(const Dataset& data, const TrainedAutoencoder& autoencoder) {
    const SampleSpace space = latentSpaceOf(autoencoder.model->config());
    RunConfig run;
    run.model = ModelConfig::preset("tiny", space.channels, space.height, data.numClasses());
    run.model.baseChannels = 16;
    run.model.groups = 4;
    run.objective = Objective::Velocity;
    run.schedule.kind = ScheduleKind::Cosine;
    run.train.batchSize = 8;
    run.train.seed = 11;
    run.data = dataInfoOf(data, run.model);
    run.data.space = space;
    return run;
}

void expectError(const std::function<void()>& f, const std::string& fragment) {
    try {
        f();
        QFAIL(("no error; expected " + fragment).c_str());
    } catch (const std::exception& e) {
        QVERIFY2(std::string(e.what()).find(fragment) != std::string::npos, e.what());
    }
}

}  // namespace

class TestLatentDiffusion : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        qputenv("DDPM_STUDIO_CACHE_DIR", QByteArray::fromStdString(path("cache")));
    }

    void latentSpaceAndItsConfiguration() {
        const auto autoencoder = smallAutoencoder();
        const SampleSpace space = latentSpaceOf(autoencoder->model->config());
        QVERIFY(space.isLatent());
        QCOMPARE(space.itemShape(), (std::vector<int64_t>{4, 4, 4}));
        QVERIFY(space.pictureSpace() == SampleSpace::pixels(3, kResolution, kResolution));
        QCOMPARE(space.describe(), std::string("4×4×4 latents of 16×16×3 pixels"));
        QVERIFY(!space.boundedToUnitRange());   // the sampler leaves latents unclipped

        // A latent run is format 2: a program from before latents refuses it by its format.
        const Dataset data = test::squaresDataset(40, kResolution);
        const RunConfig run = latentRun(data, *autoencoder);
        const std::string text = run.serialize();
        QVERIFY2(text.find("format = ddpm-studio-run 2") != std::string::npos, text.c_str());
        QVERIFY(RunConfig::deserialize(text).data.space == space);
        RunConfig pixels = run;
        pixels.model = ModelConfig::preset("tiny", 3, kResolution);
        pixels.data = dataInfoOf(data, pixels.model);
        QVERIFY(pixels.serialize().find("format = ddpm-studio-run 1") != std::string::npos);
        std::string newer = text;
        newer.replace(newer.find("ddpm-studio-run 2"), 17, "ddpm-studio-run 4");
        expectError([&] { RunConfig::deserialize(newer); }, "a newer DDPM Studio wrote it?");

        // Pixels and points are shown as they are; latents only through their autoencoder.
        const auto x = torch::rand({2, 3, kResolution, kResolution}) * 2 - 1;
        QVERIFY(picturesOf(x, SampleSpace::pixels(3, kResolution, kResolution), nullptr).is_same(x));
        const auto z = torch::randn({2, 4, 4, 4});
        expectError([&] { picturesOf(z, space, nullptr); }, "autoencoder");
        const auto pictures = picturesOf(z, space, autoencoder.get());
        QCOMPARE(pictures.sizes(), (c10::IntArrayRef{2, 3, kResolution, kResolution}));
        QVERIFY(pictures.abs().max().item<float>() <= 1.0f);
        torch::NoGradGuard noGrad;
        QVERIFY(torch::allclose(pictures, autoencoder->model->decode(z / 0.8).clamp(-1, 1), 1e-5, 1e-6));
    }

    void trainingSetIsEncodedOnceAndCached() {
        const auto autoencoder = smallAutoencoder();
        const Dataset data = test::squaresDataset(100, kResolution);
        int64_t reports = 0;
        const EncodeProgress count = [&](int64_t, int64_t) { return ++reports > 0; };
        const auto first = datasetLatents(*autoencoder, data, data.trainCount, count);   // (90,4,4,4)
        QCOMPARE(first.sizes(), (c10::IntArrayRef{90, 4, 4, 4}));
        QVERIFY(reports > 0);
        QVERIFY(torch::allclose(first, encodeImages(*autoencoder, datasetImages(data, 0, 90)), 1e-5, 1e-6));
        const fs::path folder = path("cache/latents");
        QCOMPARE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);

        reports = 0;
        QVERIFY(torch::equal(datasetLatents(*autoencoder, data, data.trainCount, count), first));
        QCOMPARE(reports, int64_t(0));   // read, not encoded

        // A damaged cache is encoded again; other weights or another scale are another entry.
        const fs::path file = fs::directory_iterator(folder)->path();
        fs::resize_file(file, fs::file_size(file) / 2);
        QVERIFY(torch::equal(datasetLatents(*autoencoder, data, data.trainCount, count), first));
        QVERIFY(reports > 0);
        autoencoder->latentScale = 0.5;
        QVERIFY(torch::allclose(datasetLatents(*autoencoder, data, data.trainCount), first * (0.5 / 0.8), 1e-5, 1e-6));
        QCOMPARE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 2);
    }

    void trainsResumesExactlyAndSamplesPicturesOnItsOwn() {
        const auto autoencoder = smallAutoencoder();
        const Dataset data = test::squaresDataset(80, kResolution);
        const RunConfig run = latentRun(data, *autoencoder);

        std::vector<double> straight;
        Trainer whole(run, data, torch::kCPU, autoencoder);
        for (int i = 0; i < 4; ++i) straight.push_back(whole.step().loss);

        Trainer first(run, data, torch::kCPU, autoencoder);
        for (int i = 0; i < 2; ++i) QCOMPARE(first.step().loss, straight[size_t(i)]);
        first.save(path("latent.ckpt"));
        Trainer resumed(loadCheckpoint(path("latent.ckpt"), torch::kCPU), data, torch::kCPU);
        QVERIFY(resumed.autoencoder());
        for (int i = 2; i < 4; ++i) QCOMPARE(resumed.step().loss, straight[size_t(i)]);

        // The checkpoint carries the autoencoder: weights, scale, and what it maps.
        const CheckpointContents c = loadCheckpoint(path("latent.ckpt"), torch::kCPU);
        QVERIFY(c.autoencoder);
        QCOMPARE(moduleStateChecksum(*c.autoencoder->model), moduleStateChecksum(*autoencoder->model));
        QCOMPARE(c.autoencoder->latentScale, 0.8);
        QVERIFY(c.config.data.space == run.data.space);

        SamplingParameters p;
        p.count = 6;
        p.steps = 3;
        const NoiseSchedule schedule(c.config.schedule);
        const auto latents = sample(*c.ema, schedule, c.config.objective, c.config.data.space, p);
        QCOMPARE(latents.sizes(), (c10::IntArrayRef{6, 4, 4, 4}));
        const auto pictures = picturesOf(latents, c.config.data.space, c.autoencoder.get());
        QCOMPARE(pictures.sizes(), (c10::IntArrayRef{6, 3, kResolution, kResolution}));
        QCOMPARE(resumed.preview({}).sizes(), (c10::IntArrayRef{16, 3, kResolution, kResolution}));

        // Export and import keep the autoencoder (latent diffusion's "first_stage_model." tensors).
        exportSafetensors(c, ExportedWeights::Ema, path("latent.safetensors"));
        importSafetensors(path("latent.safetensors"), path("imported.ckpt"));
        const CheckpointContents imported = loadCheckpoint(path("imported.ckpt"), torch::kCPU);
        QVERIFY(imported.autoencoder);
        QCOMPARE(moduleStateChecksum(*imported.autoencoder->model), moduleStateChecksum(*autoencoder->model));
        QCOMPARE(imported.autoencoder->latentScale, 0.8);
        QCOMPARE(moduleStateChecksum(*imported.ema), moduleStateChecksum(*c.ema));

        // A new latent run can take the autoencoder of this one's checkpoint (ddpm train --vae
        // latent.ckpt); a pixel model's checkpoint has none to give.
        const auto shared = loadAutoencoderFrom(path("latent.ckpt"), torch::kCPU);
        QCOMPARE(moduleStateChecksum(*shared->model), moduleStateChecksum(*autoencoder->model));
        QCOMPARE(shared->latentScale, 0.8);
        RunConfig pixels = run;
        pixels.model = ModelConfig::preset("tiny", 3, kResolution, data.numClasses());
        pixels.data = dataInfoOf(data, pixels.model);
        Trainer(pixels, data, torch::kCPU).save(path("pixels.ckpt"));
        expectError([&] { loadAutoencoderFrom(path("pixels.ckpt"), torch::kCPU); }, "pixels.ckpt: a pixel model's checkpoint has no autoencoder");
    }

    void mismatchesAreNamed() {
        const auto autoencoder = smallAutoencoder();
        const Dataset data = test::squaresDataset(40, kResolution);
        const RunConfig run = latentRun(data, *autoencoder);
        expectError([&] { Trainer(run, data, torch::kCPU); }, "needs its autoencoder");
        expectError([&] { Trainer(run, data, torch::kCPU, smallAutoencoder(2)); },
                    "the autoencoder gives 8×8×4 latents of 16×16×3 pixels; the run denoises 4×4×4 latents");
        expectError([&] { checkAutoencoderFits(autoencoder->model->config(), test::squaresDataset(40, 32)); },
                    "the autoencoder takes 16×16×3 pixels, squares has 32×32×3 pixels");
        expectError([&] { Trainer(run, test::squaresDataset(40, 32), torch::kCPU, autoencoder); }, "does not match");
        RunConfig pixels = run;
        pixels.model = ModelConfig::preset("tiny", 3, kResolution, data.numClasses());
        pixels.data = dataInfoOf(data, pixels.model);
        expectError([&] { Trainer(pixels, data, torch::kCPU, autoencoder); }, "an autoencoder was given");

        // A latent checkpoint damaged in its autoencoder's part is named, with the reason.
        Trainer(run, data, torch::kCPU, autoencoder).save(path("whole.ckpt"));
        fs::copy_file(path("whole.ckpt"), path("cut.ckpt"));
        fs::resize_file(path("cut.ckpt"), fs::file_size(path("cut.ckpt")) - 4000);
        expectError([&] { loadCheckpoint(path("cut.ckpt"), torch::kCPU); }, "cut.ckpt");
    }
};

QTEST_GUILESS_MAIN(TestLatentDiffusion)
#include "test_latent_diffusion.moc"
