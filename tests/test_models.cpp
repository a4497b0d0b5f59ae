// The denoisers: shapes at every resolution, parameter counts, gradients,
// mixed precision, and a U-Net that learns to denoise.
#include <QtTest>

#include <torch/torch.h>

#include "util/Threads.h"

#include "data/DatasetLoader.h"
#include "diffusion/NoiseSchedule.h"
#include "models/Denoiser.h"
#include "models/MixedPrecision.h"
#include "models/TimeEmbedding.h"
#include "support/TestModels.h"

using namespace ddpm;

namespace {
ModelConfig smallUNet(int channels, int resolution, UNetLayout layout, int levels) {
    ModelConfig c;
    c.inChannels = channels;
    c.resolution = resolution;
    c.layout = layout;
    c.baseChannels = 16;
    c.channelMults = std::vector<int>(size_t(levels), 1);
    c.channelMults.back() = 2;
    c.attentionLevels = {levels - 1};
    c.groups = 4;
    return c;
}
}  // namespace

class TestModels : public QObject {
    Q_OBJECT

private slots:
    void multiplyAddCounterCountsLayers() {
        torch::nn::Conv2d c(torch::nn::Conv2dOptions(1, 4, 3).padding(1));
        torch::nn::Linear l(5, 7);
        torch::NoGradGuard g;
        MultiplyAddCounter counter;
        conv(c, torch::randn({2, 1, 8, 8}));                         // 2*4*8*8 outputs x 1*3*3
        QCOMPARE(counter.count(), int64_t(512 * 9));
        linear(l, torch::randn({3, 5}));                             // 3 rows x 7 x 5
        QCOMPARE(counter.count(), int64_t(512 * 9 + 105));
        {
            MultiplyAddCounter inner;                                // nested: counts only its own
            ddpm::bmm(torch::randn({2, 3, 4}), torch::randn({2, 4, 5}));   // 2*3*4*5
            QCOMPARE(inner.count(), int64_t(120));
        }
        QCOMPARE(counter.count(), int64_t(512 * 9 + 105));
        ComputeDtypeGuard bf16(torch::kBFloat16);                    // the mixed-precision path counts the same
        conv(c, torch::randn({2, 1, 8, 8}));
        QCOMPARE(counter.count(), int64_t(2 * 512 * 9 + 105));
    }

    void initTestCase() {
        torch::manual_seed(1);
        configureThreads(0);
    }

    void unetShapes_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("resolution");
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("levels");
        for (int r : {28, 32, 64})
            for (int ch : {1, 3}) {
                QTest::addRow("compact %dx%dx%d", r, r, ch) << ch << r << int(UNetLayout::Compact) << 3;
                QTest::addRow("ho 4 levels %dx%dx%d", r, r, ch) << ch << r << int(UNetLayout::Ho) << 4;
            }
    }
    void unetShapes() {
        QFETCH(int, channels);
        QFETCH(int, resolution);
        QFETCH(int, layout);
        QFETCH(int, levels);
        auto model = test::seededDenoiser(smallUNet(channels, resolution, UNetLayout(layout), levels));
        auto x = torch::randn({2, channels, resolution, resolution});
        auto out = model->forward(x, torch::tensor({0, 999}, torch::kInt64), {});
        QCOMPARE(out.sizes(), x.sizes());   // 28 with four levels is padded inside and cropped back
        QVERIFY(torch::isfinite(out).all().item<bool>());
    }

    void presetSizes() {
        // The benchmark peer's U-Net has 620,705 parameters; Ho et al.'s CIFAR model 35.7M.
        QCOMPARE(test::seededDenoiser(ModelConfig::preset("peer", 1, 32))->parameterCount(), int64_t(620705));
        const int64_t cifar = test::seededDenoiser(ModelConfig::preset("ddpm-cifar", 3, 32))->parameterCount();
        QVERIFY(cifar > 35'650'000 && cifar < 35'800'000);
        QVERIFY(test::seededDenoiser(ModelConfig::preset("tiny", 1, 28))->parameterCount() < 1'000'000);
    }

    void conditionalAndFilmVariants() {
        ModelConfig c = smallUNet(1, 28, UNetLayout::Compact, 3);
        c.numClasses = 10;
        c.film = true;
        auto model = test::seededDenoiser(c);
        auto x = torch::randn({3, 1, 28, 28});
        auto t = torch::tensor({5, 5, 5}, torch::kInt64);
        auto a = model->forward(x, t, Condition{torch::tensor({1, 2, 10}, torch::kInt64)});   // 10 = the null class
        auto u = model->forward(x, t, {});                             // no labels: null class
        QVERIFY(torch::allclose(a[2], u[2]));
        QCOMPARE(a.sizes(), x.sizes());
    }

    void sinusoidalEmbeddingFormula() {
        auto e = sinusoidalEmbedding(torch::tensor({0, 10}, torch::kInt64), 8);
        QCOMPARE(e.sizes(), (std::vector<int64_t>{2, 8}));
        QVERIFY(torch::allclose(e[0], torch::tensor({0., 0., 0., 0., 1., 1., 1., 1.})));
        // ω_1 = 10000^(-1/4) = 0.1: sin(10·0.1) = sin(1).
        QVERIFY(std::abs(e[1][1].item<double>() - std::sin(1.0)) < 1e-5);
    }

    void gradientsReachTheTimeEmbedding() {
        auto model = test::seededDenoiser(ModelConfig::preset("tiny", 1, 28));
        auto out = model->forward(torch::randn({4, 1, 28, 28}), torch::tensor({1, 200, 600, 999}, torch::kInt64),
                                  Condition{});
        out.pow(2).mean().backward();
        int checked = 0;
        for (auto& p : model->named_parameters()) {
            if (p.key().rfind("time_embedding.", 0) != 0) continue;
            const auto g = p.value().grad();
            QVERIFY2(g.defined(), p.key().c_str());
            QVERIFY(torch::isfinite(g).all().item<bool>());
            QVERIFY2(g.abs().sum().item<double>() > 0, p.key().c_str());
            ++checked;
        }
        QCOMPARE(checked, 4);   // fc1 and fc2, weight and bias
    }

    // Close to fp32 where LibTorch's bf16 products sum in fp32 (oneDNN on AVX512 CPUs, CUDA).
    // Its AVX2 fallback sums in bf16: a product over 1,152 terms is then ~4% off and the tiny
    // U-Net's output ~11% (and 15x slower, which is why fp32 is the default there).
    void bf16StaysCloseToFp32() {
        const auto a = torch::randn({64, 1152}), b = torch::randn({1152, 64});
        const auto product = torch::mm(a, b);
        const auto bf16Product = torch::mm(a.to(torch::kBFloat16), b.to(torch::kBFloat16)).to(torch::kFloat);
        const double productError = ((bf16Product - product).norm() / product.norm()).item<double>();
        const double tolerance = productError < 0.01 ? 0.05 : 0.2;
        auto model = test::seededDenoiser(ModelConfig::preset("tiny", 1, 28));
        model->eval();
        auto x = torch::randn({4, 1, 28, 28});
        auto t = torch::tensor({10, 100, 500, 900}, torch::kInt64);
        torch::NoGradGuard noGrad;
        auto full = model->forward(x, t, {});
        torch::Tensor half;
        {
            ComputeDtypeGuard guard(torch::kBFloat16);
            QCOMPARE(computeDtype(), torch::kBFloat16);
            half = model->forward(x, t, {});
        }
        QCOMPARE(computeDtype(), torch::kFloat);
        QCOMPARE(half.scalar_type(), torch::kFloat);
        const double rel = ((half - full).norm() / full.norm()).item<double>();
        QVERIFY2(rel < tolerance, qPrintable(QString("%1 (products off by %2)").arg(rel).arg(productError)));
    }

    // At one fixed noise level, a small U-Net learns to beat the noisy image.
    void unetLearnsToDenoiseAtFixedNoiseLevel() {
        const Dataset mnist = loadDataset("mnist");
        auto images = torch::from_blob(const_cast<uint8_t*>(mnist.pixels.data()), {512, 1, 28, 28}, torch::kUInt8)
                          .to(torch::kFloat)
                          .div(127.5)
                          .sub(1);   // (512,1,28,28) in [-1,1]
        auto model = test::seededDenoiser(smallUNet(1, 28, UNetLayout::Compact, 3));
        const NoiseSchedule schedule;
        const int t = 300;
        const double a = schedule.sqrtAlphaCumprod(t), s = schedule.sqrtOneMinusAlphaCumprod(t);
        torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(2e-3));
        auto tb = torch::full({32}, t, torch::kInt64);
        for (int step = 0; step < 150; ++step) {
            auto x0 = images.index_select(0, torch::randint(448, {32}, torch::kInt64));
            auto eps = torch::randn_like(x0);
            auto loss = (model->forward(a * x0 + s * eps, tb, {}) - eps).pow(2).mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        torch::NoGradGuard noGrad;
        auto x0 = images.slice(0, 448, 512);   // images the model did not train on
        auto eps = torch::randn_like(x0);
        auto xt = a * x0 + s * eps;
        const double noisyError = (xt / a - x0).pow(2).mean().item<double>();
        const auto epsHat = model->forward(xt, torch::full({64}, t, torch::kInt64), {});
        const double denoisedError = ((xt - s * epsHat) / a - x0).pow(2).mean().item<double>();
        QVERIFY2(denoisedError < 0.5 * noisyError,
                 qPrintable(QString("denoised %1 vs noisy %2").arg(denoisedError).arg(noisyError)));
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "test_models.moc"
