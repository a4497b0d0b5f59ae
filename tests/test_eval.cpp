// Evaluation: Fréchet distance against closed forms, KID against a hand-worked
// value and on equal vs shifted distributions, the feature classifier (training,
// eval mode, file round trip, the shipped MNIST one), the TorchScript feature
// path with a module the test defines, a whole evaluation of the shipped model,
// and scores of given images (real digits near the reference, noise far).
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

#include <torch/script.h>
#include <torch/torch.h>

#include "data/DatasetLoader.h"
#include "eval/ClassifierFile.h"
#include "eval/ClassifierTraining.h"
#include "eval/DistributionMetrics.h"
#include "eval/Evaluation.h"
#include "eval/FeatureExtractor.h"
#include "image/ImageTensors.h"
#include "training/Checkpoint.h"
#include "util/Cancelled.h"
#include "util/ResourcePaths.h"
#include "util/Threads.h"

using namespace ddpm;

namespace {

GaussianStats stats(const torch::Tensor& mean, const torch::Tensor& covariance) {
    GaussianStats s;
    s.mean = mean.to(torch::kFloat64);
    s.covariance = covariance.to(torch::kFloat64);
    s.count = 100;
    return s;
}

// A random orthogonal (D,D) matrix, from the QR decomposition of a Gaussian one.
torch::Tensor randomRotation(int64_t d) {
    return std::get<0>(torch::linalg_qr(torch::randn({d, d}, torch::kFloat64)));
}

// The first `train` and the last `heldOut` items of the built-in digits, as one small dataset.
Dataset smallMnist(int64_t train, int64_t heldOut) {
    Dataset full = loadDataset("mnist");
    Dataset d = full;
    const int64_t bytes = full.imageBytes();
    d.count = train + heldOut;
    d.trainCount = train;
    d.pixels.assign(full.pixels.begin(), full.pixels.begin() + train * bytes);
    d.pixels.insert(d.pixels.end(), full.pixels.begin() + full.trainCount * bytes,
                    full.pixels.begin() + (full.trainCount + heldOut) * bytes);
    d.labels.assign(full.labels.begin(), full.labels.begin() + train);
    d.labels.insert(d.labels.end(), full.labels.begin() + full.trainCount,
                    full.labels.begin() + full.trainCount + heldOut);
    return d;
}

}  // namespace

class TestEval : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const char* name) const { return (tmp_.path() + "/" + name).toStdString(); }

private slots:
    void initTestCase() {
        configureThreads(0);
        torch::manual_seed(0);
    }

    void gaussianStatsByHand() {
        const auto f = torch::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 0.0}).reshape({3, 2});   // (N=3,D=2)
        const auto s = gaussianStats(f);
        QVERIFY(torch::allclose(s.mean, torch::tensor({3.0, 2.0}, torch::kFloat64)));
        // x: 1,3,5 (var 4); y: 2,4,0 (var 4); cov(x,y) = ((-2)(0) + (0)(2) + (2)(-2)) / 2 = -2
        QVERIFY(torch::allclose(s.covariance, torch::tensor({4.0, -2.0, -2.0, 4.0}, torch::kFloat64).reshape({2, 2})));
        QCOMPARE(s.count, int64_t(3));
    }

    void symmetricSqrtSquaresBack() {
        const auto a = torch::randn({12, 12}, torch::kFloat64);
        const auto spd = a.mm(a.t()) + 0.1 * torch::eye(12, torch::kFloat64);
        const auto root = symmetricSqrt(spd);
        QVERIFY(torch::allclose(root.mm(root), spd, 1e-9, 1e-9));
        QVERIFY(torch::allclose(root, root.t(), 0, 1e-12));
        // A singular PSD matrix (rank 3 of 12): round-off negatives do not become NaN.
        const auto low = torch::randn({12, 3}, torch::kFloat64);
        QVERIFY(symmetricSqrt(low.mm(low.t())).isfinite().all().item<bool>());
    }

    void frechetDistanceClosedForms() {
        // Identical Gaussians: 0.
        const auto a = torch::randn({8, 8}, torch::kFloat64);
        const auto cov = a.mm(a.t()) + torch::eye(8, torch::kFloat64);
        const auto mean = torch::randn({8}, torch::kFloat64);
        QVERIFY(frechetDistance(stats(mean, cov), stats(mean, cov)) < 1e-8);

        // Diagonal: |Δμ|² + Σ (σa − σb)².
        const auto va = torch::tensor({1.0, 4.0, 9.0, 0.25}), vb = torch::tensor({4.0, 1.0, 9.0, 1.0});
        const auto ma = torch::tensor({0.0, 1.0, 2.0, 3.0}), mb = torch::tensor({1.0, 1.0, 0.0, 3.0});
        const double expected = 1.0 + 4.0 + (1 + 1 + 0 + 0.25);
        QVERIFY(std::abs(frechetDistance(stats(ma, torch::diag(va)), stats(mb, torch::diag(vb))) - expected) < 1e-10);

        // Commuting full covariances (same eigenvectors): Σ (√λa − √λb)².
        const auto q = randomRotation(6);
        const auto la = torch::tensor({0.5, 1.0, 2.0, 3.0, 4.0, 5.0}, torch::kFloat64);
        const auto lb = torch::tensor({2.0, 1.0, 0.5, 3.0, 9.0, 0.1}, torch::kFloat64);
        const auto ca = q.mm(torch::diag(la)).mm(q.t()), cb = q.mm(torch::diag(lb)).mm(q.t());
        const double closed = (la.sqrt() - lb.sqrt()).pow(2).sum().item<double>();
        const auto zero = torch::zeros({6}, torch::kFloat64);
        QVERIFY(std::abs(frechetDistance(stats(zero, ca), stats(zero, cb)) - closed) < 1e-9);
        // Symmetric in its arguments although the formula is not written that way.
        QVERIFY(std::abs(frechetDistance(stats(zero, cb), stats(zero, ca)) - closed) < 1e-9);
    }

    void kidHandWorked() {
        // D = 1, k(x,y) = (xy + 1)³; a = {0,1}, b = {2,3}, one subset holding everything:
        // Kxx off-diagonal 1 → 1; Kyy 343 → 343; Kxy 1+1+27+64 = 93 → 2·93/4 = 46.5.
        const auto a = torch::tensor({0.0, 1.0}).reshape({2, 1}), b = torch::tensor({2.0, 3.0}).reshape({2, 1});
        const auto r = kernelInceptionDistance(a, b, 3, 2, 0);
        QCOMPARE(r.subsetSize, int64_t(2));
        QVERIFY(std::abs(r.mean - 297.5) < 1e-9);
        QVERIFY(r.std < 1e-9);   // every subset is the whole set
    }

    void kidSeesAShift() {
        const auto x = torch::randn({600, 16}), y = torch::randn({600, 16}), shifted = torch::randn({600, 16}) + 0.5;
        const auto same = kernelInceptionDistance(x, y, 50, 200, 1);
        const auto different = kernelInceptionDistance(x, shifted, 50, 200, 1);
        QVERIFY(std::abs(same.mean) < 3 * same.std + 1e-3);   // unbiased: centred on 0
        QVERIFY(different.mean > 10 * (std::abs(same.mean) + same.std));
        QVERIFY(frechetDistance(gaussianStats(x), gaussianStats(shifted)) >
                5 * frechetDistance(gaussianStats(x), gaussianStats(y)));
        QVERIFY_EXCEPTION_THROWN(kernelInceptionDistance(x, torch::randn({10, 3})), std::invalid_argument);
    }

    void classifierTrainsSavesAndLoads() {
        const Dataset d = smallMnist(2000, 400);
        ClassifierTrainConfig c;
        c.epochs = 3;
        c.batchSize = 32;   // 189 steps: enough for a small net to learn the digits
        c.width = 16;
        c.featureDim = 32;
        int progressCalls = 0;
        auto record = trainClassifier(d, c, torch::kCPU, [&](const ClassifierProgress&) { return ++progressCalls > 0; });
        QVERIFY(progressCalls > 2);
        qInfo("small classifier: held-out accuracy %.3f", record.heldOutAccuracy);
        QVERIFY(record.heldOutAccuracy > 0.8);
        QCOMPARE(record.heldOutCount, 400ll);
        QVERIFY(!record.net->is_training());

        // Eval mode: an image's features do not depend on the rest of its batch.
        const auto images = toSignedUnit(datasetImages(d, 0, 8));
        torch::Tensor alone, inBatch;
        {
            torch::NoGradGuard g;
            alone = record.net->features(images.narrow(0, 0, 1));
            inBatch = record.net->features(images).narrow(0, 0, 1);
        }
        QVERIFY(torch::allclose(alone, inBatch, 1e-4, 1e-5));

        saveClassifier(path("small.classifier"), record);
        auto loaded = loadClassifier(path("small.classifier"), torch::kCPU);
        QCOMPARE(loaded.heldOutAccuracy, record.heldOutAccuracy);
        QCOMPARE(loaded.net->config().dataset, d.identity());
        QVERIFY(std::abs(classifierAccuracy(loaded.net, d, d.trainCount, d.heldOutCount(), torch::kCPU) -
                         record.heldOutAccuracy) < 1e-9);

        // Cancelling stops at once with Cancelled.
        QVERIFY_EXCEPTION_THROWN(trainClassifier(d, c, torch::kCPU, [](const ClassifierProgress&) { return false; }),
                                 Cancelled);
        // Unlabelled or point data is refused with the reason.
        Dataset unlabelled = d;
        unlabelled.labels.clear();
        unlabelled.classNames.clear();
        try {
            trainClassifier(unlabelled, c, torch::kCPU);
            QFAIL("no error for an unlabelled dataset");
        } catch (const std::invalid_argument& e) {
            QVERIFY(std::string(e.what()).find("needs labels") != std::string::npos);
        }
    }

    void classifierFileErrors() {
        const auto expectError = [](const std::string& file, const char* words) {
            try {
                loadClassifier(file, torch::kCPU);
                QFAIL(("no error for " + file).c_str());
            } catch (const CheckpointError& e) {
                const std::string what = e.what();
                QVERIFY2(what.find(words) != std::string::npos && what.find(file) != std::string::npos, what.c_str());
            }
        };
        expectError(path("missing.classifier"), "no such classifier file");
        std::ofstream(path("garbage.classifier")) << "not a zip archive";
        expectError(path("garbage.classifier"), "not a DDPM Studio classifier");
        // A diffusion checkpoint is a torch archive too, but not a classifier.
        expectError(findResource("models/mnist-tiny.ckpt").string(), "no 'ddpm-studio-classifier 1' marker");
    }

    void shippedMnistClassifier() {
        const auto record = loadClassifier(builtinFeatureClassifier("mnist"), torch::kCPU);
        QVERIFY(record.heldOutAccuracy >= 0.98);
        const Dataset d = loadDataset("mnist");
        QCOMPARE(record.heldOutCount, (long long)d.heldOutCount());
        auto net = record.net;
        const double measured = classifierAccuracy(net, d, d.trainCount, d.heldOutCount(), torch::kCPU);
        QVERIFY2(std::abs(measured - record.heldOutAccuracy) < 0.005, qPrintable(QString::number(measured)));
        try {
            openFeatureExtractor("builtin", "cifar-10", torch::kCPU);
            QFAIL("no error for a dataset without a built-in extractor");
        } catch (const std::runtime_error& e) {
            QVERIFY(std::string(e.what()).find("no built-in feature network for dataset 'cifar-10'") != std::string::npos);
        }
    }

    void shippedFashionClassifier() {
        const auto record = loadClassifier(builtinFeatureClassifier("fashion-mnist"), torch::kCPU);
        QVERIFY(record.heldOutAccuracy >= 0.90);
        QCOMPARE(record.heldOutCount, 10000ll);
        QCOMPARE(record.net->config().numClasses, 10);
        QVERIFY(record.net->config().dataset.find("fashion-mnist") == 0);
    }

    void torchScriptFeaturePath() {
        // A stand-in for Inception: the per-channel mean of its (B,3,299,299) input when asked for features.
        torch::jit::Module m("StandIn");
        m.define(R"(
def forward(self, x, return_features: bool = False):
    assert x.size(2) == 299 and x.size(3) == 299
    if return_features:
        return x.mean(dim=[2, 3])
    return x.sum(dim=[1, 2, 3])
)");
        m.save(path("stand-in.pt"));
        auto extractor = openFeatureExtractor(path("stand-in.pt"), "cifar-10", torch::kCPU);
        QVERIFY(extractor->description().find("TorchScript") != std::string::npos);
        QCOMPARE(extractor->numClasses(), 0);
        // Grey images of constant value v in [-1,1] reach it as RGB 299x299 in [0,255].
        const auto grey = torch::stack({torch::full({1, 28, 28}, -1.0), torch::full({1, 28, 28}, 0.5)});   // (2,1,28,28)
        const auto out = extractor->extract(grey);
        QCOMPARE(out.features.sizes(), (torch::IntArrayRef{2, 3}));
        QVERIFY(!out.probabilities.defined());
        QVERIFY(torch::allclose(out.features[0], torch::zeros({3}), 0, 1e-3));
        QVERIFY(torch::allclose(out.features[1], torch::full({3}, 1.5 * 127.5), 1e-5, 1e-3));

        std::ofstream(path("broken.pt")) << "definitely not TorchScript";
        try {
            openFeatureExtractor(path("broken.pt"), "cifar-10", torch::kCPU);
            QFAIL("no error for a broken TorchScript file");
        } catch (const std::runtime_error& e) {
            QVERIFY(std::string(e.what()).find("broken.pt: not a TorchScript module") != std::string::npos);
        }
    }

    void evaluatesTheShippedModel() {
        const Dataset d = loadDataset("mnist");
        EvalConfig c;
        c.count = 40;
        c.batchSize = 20;
        c.sampler.steps = 5;
        c.kidSubsetSize = 40;
        c.kidSubsets = 10;
        std::vector<std::string> stages;
        auto record = [&](const EvalProgress& p) {
            if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
            return true;
        };
        const Evaluator evaluator(d, c, record);
        const auto checkpoint = loadCheckpoint(findResource("models/mnist-tiny.ckpt").string(), evaluator.device());
        const auto r = evaluator.evaluate(checkpoint, record);
        QCOMPARE(r.count, int64_t(40));
        QCOMPARE(r.referenceCount, d.heldOutCount());
        QVERIFY(std::isfinite(r.fid) && r.fid > 0);
        QVERIFY(std::isfinite(r.kid) && std::isfinite(r.kidStd));
        QVERIFY(r.confidentShare >= 0 && r.confidentShare <= 1);
        // A class-conditional model: even 5 DDIM steps draw the digit asked for far above chance (10%).
        QVERIFY2(r.classMatchShare > 0.5 && r.classMatchShare <= 1, std::to_string(r.classMatchShare).c_str());
        QVERIFY(r.extractor.find("mnist.classifier") != std::string::npos);
        QVERIFY(r.step > 0);
        // Per class: the digits in turn, 4 of each; chance is what the classified counts give
        // against the asked ones.
        QCOMPARE(r.askedFor, std::vector<int64_t>(10, 4));
        double chance = 0;
        int64_t matched = 0;
        for (size_t k = 0; k < 10; ++k) {
            QVERIFY(r.matchedFor[k] <= r.askedFor[k]);
            matched += r.matchedFor[k];
            chance += double(r.askedFor[k] * r.classifiedAs[k]) / (40.0 * 40.0);
        }
        QCOMPARE(double(matched) / 40.0, r.classMatchShare);
        QVERIFY(std::abs(r.chanceMatchShare - chance) < 1e-12);
        QVERIFY(std::abs(r.chanceMatchShare - 0.1) < 1e-12);   // 4 of each class asked: chance is 1/10 whatever came out
        QCOMPARE(stages, (std::vector<std::string>{"reference", "sampling"}));
        // The held-out digits themselves are recognised far more confidently than noise would be.
        QVERIFY(r.confidentShare > 0.1);

        // The reference features are kept: a second evaluation reports no "reference" stage
        // and, with the same seeds, gives the same numbers.
        stages.clear();
        const auto again = evaluator.evaluate(checkpoint, record);
        QCOMPARE(stages, std::vector<std::string>{"sampling"});
        QCOMPARE(again.fid, r.fid);
        QCOMPARE(again.confidentShare, r.confidentShare);

        // Asking by the held-out captions needs a model that takes them.
        EvalConfig byCaptions = c;
        byCaptions.heldOutCaptions = true;
        try {
            Evaluator(d, byCaptions).evaluate(checkpoint);
            QFAIL("a class model was asked by captions");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("needs a text model") != std::string::npos, e.what());
        }
    }

    // Given images instead of a checkpoint: real digits score near the reference, noise far from it.
    void evaluatesGivenImages() {
        const Dataset d = loadDataset("mnist");
        EvalConfig c;
        c.kidSubsets = 10;
        const Evaluator evaluator(d, c);
        Dataset real = smallMnist(1000, 0);   // 1,000 training digits, none of the held-out ones
        real.name = "train-digits";
        Dataset noise = real;
        torch::manual_seed(0);
        const auto random = torch::randint(0, 256, {int64_t(noise.pixels.size())}, torch::kUInt8);
        std::memcpy(noise.pixels.data(), random.data_ptr<uint8_t>(), noise.pixels.size());

        std::vector<std::string> stages;
        const auto realScore = evaluator.evaluate(real, [&](const EvalProgress& p) {
            stages.push_back(p.stage);
            return true;
        });
        const auto noiseScore = evaluator.evaluate(noise);
        QCOMPARE(stages.front(), std::string("samples"));
        QCOMPARE(realScore.count, int64_t(1000));
        QCOMPARE(realScore.step, int64_t(0));
        QVERIFY2(realScore.fid < 5, qPrintable(QString::number(realScore.fid)));
        QVERIFY(realScore.confidentShare > 0.9);
        QVERIFY(std::abs(realScore.kid) < 0.05);
        QVERIFY(noiseScore.fid > 20 * std::max(realScore.fid, 1.0));
        QVERIFY(noiseScore.kid > 10 * realScore.kidStd + realScore.kid);

        Dataset wrongSize = real;
        wrongSize.height = wrongSize.width = 14;
        wrongSize.count = 4;
        wrongSize.pixels.resize(4 * 14 * 14);
        try {
            evaluator.evaluate(wrongSize);
            QFAIL("no error for samples of another size");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(std::string(e.what()).find("train-digits: its images are 14x14x1, those of mnist are 28x28x1") !=
                         std::string::npos,
                     e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestEval)
#include "test_eval.moc"
