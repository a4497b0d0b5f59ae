// Schedules, the forward process, ε/x0/v conversions and the samplers.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "diffusion/NoiseSchedule.h"
#include "diffusion/Parameterization.h"
#include "models/Denoiser.h"
#include "sampling/Sampler.h"
#include "util/Cancelled.h"

using namespace ddpm;

class TestDiffusion : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::manual_seed(0); }

    void linearScheduleEnds() {
        const NoiseSchedule s;   // linear 1e-4 … 0.02, T = 1000
        QCOMPARE(s.timesteps(), 1000);
        QVERIFY(std::abs(s.betas().front() - 1e-4) < 1e-12);
        QVERIFY(std::abs(s.betas().back() - 0.02) < 1e-12);
        // √ᾱ_T ≈ 0.0064: x_T is (almost) pure noise.
        QVERIFY2(std::abs(s.sqrtAlphaCumprod(999) - 0.00635) < 0.0002, qPrintable(QString::number(s.sqrtAlphaCumprod(999))));
        QVERIFY(s.sqrtOneMinusAlphaCumprod(0) < 0.011);
        for (int t = 1; t < 1000; ++t) QVERIFY(s.alphasCumprod()[t] < s.alphasCumprod()[t - 1]);
    }

    void cosineScheduleMatchesThePaper() {
        ScheduleConfig c;
        c.kind = ScheduleKind::Cosine;
        const NoiseSchedule s(c);
        auto f = [](double t) { return std::pow(std::cos((t / 1000.0 + 0.008) / 1.008 * 3.14159265358979323846 / 2), 2); };
        // Away from the clipped end ᾱ_t = f(t+1)/f(0) exactly (t counted from 0).
        for (int t : {0, 10, 250, 500, 900}) QVERIFY(std::abs(s.alphasCumprod()[t] - f(t + 1) / f(0)) < 1e-9);
        QVERIFY(s.betas().front() < 1e-4);                      // tiny noise at first
        QCOMPARE(s.betas().back(), 0.999);                      // β clipped at the end
        QVERIFY(s.alphasCumprod().back() < 1e-6);               // ends at pure noise
        QVERIFY(s.alphasCumprod()[500] > 0.45 && s.alphasCumprod()[500] < 0.55);   // ~linear in the middle
    }

    void sigmoidScheduleRises() {
        ScheduleConfig c;
        c.kind = ScheduleKind::Sigmoid;
        const NoiseSchedule s(c);
        for (int t = 1; t < 1000; ++t) QVERIFY(s.betas()[t] > s.betas()[t - 1]);
        QVERIFY(s.betas().front() > 1e-4 && s.betas().back() < 0.02);
    }

    void posteriorCoefficients() {
        const NoiseSchedule s;
        for (int t : {1, 10, 500, 999}) {
            // With no noise (x_t = √ᾱ_t x0) the posterior mean is √ᾱ_{t−1} x0.
            const double mean = s.posteriorMeanCoef1()[t] + s.posteriorMeanCoef2()[t] * s.sqrtAlphaCumprod(t);
            QVERIFY(std::abs(mean - s.sqrtAlphaCumprod(t - 1)) < 1e-12);
            const double expected = s.betas()[t] * (1 - s.alphasCumprod()[t - 1]) / (1 - s.alphasCumprod()[t]);
            QVERIFY(std::abs(s.posteriorVariance()[t] - expected) < 1e-15);
        }
        QCOMPARE(s.posteriorVariance()[0], 0.0);
        QCOMPARE(s.posteriorLogVarianceClipped()[0], std::log(s.posteriorVariance()[1]));
        QVERIFY(std::abs(s.snr(0) - s.alphasCumprod()[0] / (1 - s.alphasCumprod()[0])) < 1e-9);
    }

    void qSampleMoments() {
        const NoiseSchedule s;
        const int64_t n = 200000;
        for (int t : {50, 300, 900}) {
            auto x0 = torch::full({n, 1, 1, 1}, 0.6f);
            auto noise = torch::randn({n, 1, 1, 1});
            auto xt = s.qSample(x0, torch::full({n}, t, torch::kInt64), noise);
            const double mean = xt.mean().item<double>(), var = xt.var().item<double>();
            QVERIFY(std::abs(mean - s.sqrtAlphaCumprod(t) * 0.6) < 0.01);
            QVERIFY(std::abs(var / (1 - s.alphasCumprod()[t]) - 1) < 0.02);
        }
        // One t per sample.
        auto x0 = torch::ones({2, 1, 2, 2});
        auto xt = s.qSample(x0, torch::tensor({0, 999}, torch::kInt64), torch::zeros({2, 1, 2, 2}));
        QVERIFY(std::abs(xt[0][0][0][0].item<double>() - s.sqrtAlphaCumprod(0)) < 1e-6);
        QVERIFY(std::abs(xt[1][0][0][0].item<double>() - s.sqrtAlphaCumprod(999)) < 1e-6);
    }

    void parameterizationRoundTrips() {
        auto x0 = torch::rand({8, 1, 4, 4}) * 2 - 1, eps = torch::randn({8, 1, 4, 4});
        auto abar = torch::rand({8, 1, 1, 1}) * 0.98 + 0.01;
        auto a = abar.sqrt(), s = (1 - abar).sqrt();
        auto xt = a * x0 + s * eps;
        for (Objective o : {Objective::Epsilon, Objective::X0, Objective::Velocity}) {
            auto target = trainingTarget(o, x0, eps, a, s);
            Prediction p = toPrediction(o, target, xt, a, s);
            QVERIFY(torch::allclose(p.x0, x0, 1e-4, 1e-4));
            QVERIFY(torch::allclose(p.eps, eps, 1e-4, 1e-4));
        }
        QVERIFY(torch::allclose(trainingTarget(Objective::Velocity, x0, eps, a, s), a * eps - s * x0));
        QVERIFY(torch::allclose(epsFromX0(x0, xt, a, s), eps, 1e-4, 1e-4));
        QCOMPARE(toString(objectiveFromString("v")), std::string("v"));
    }

    void minSnrWeights() {
        auto snr = torch::tensor({0.5, 5.0, 50.0});
        auto eps = lossWeight(Objective::Epsilon, LossWeighting::MinSnr, snr, 5.0);
        QVERIFY(torch::allclose(eps, torch::tensor({1.0, 1.0, 0.1})));
        auto x0 = lossWeight(Objective::X0, LossWeighting::MinSnr, snr, 5.0);
        QVERIFY(torch::allclose(x0, torch::tensor({0.5, 5.0, 5.0})));
        auto v = lossWeight(Objective::Velocity, LossWeighting::MinSnr, snr, 5.0);
        QVERIFY(torch::allclose(v, torch::tensor({0.5 / 1.5, 5.0 / 6.0, 5.0 / 51.0})));
        QVERIFY(torch::allclose(lossWeight(Objective::Epsilon, LossWeighting::Uniform, snr, 5.0), torch::ones(3)));
    }

    void samplingTimestepSpacing() {
        SamplerConfig c;
        auto ts = samplingTimesteps(c, 1000);
        QCOMPARE(int(ts.size()), 50);
        QCOMPARE(ts.front(), 999);
        QCOMPARE(ts.back(), 0);
        for (size_t i = 1; i < ts.size(); ++i) QVERIFY(ts[i] < ts[i - 1]);
        c.quadraticSpacing = true;
        auto q = samplingTimesteps(c, 1000);
        QCOMPARE(q.front(), 999);
        QCOMPARE(q.back(), 0);
        QVERIFY(q[q.size() - 2] < ts[ts.size() - 2]);   // denser near t = 0
        c.kind = SamplerKind::Ddpm;
        QCOMPARE(int(samplingTimesteps(c, 1000).size()), 1000);
    }

    void ddimEtaZeroIsDeterministicAndFramesAreStreamed() {
        auto model = makeDenoiser(ModelConfig::preset("mlp", 2, 0));
        const NoiseSchedule s;
        SamplerConfig c;
        c.steps = 5;
        c.count = 32;
        c.seed = 7;
        int frames = 0;
        auto a = sample(*model, s, Objective::Epsilon, c, [&](const SampleFrame& f) {
            ++frames;
            if (f.index > 0) {
                if (!f.x0.defined()) return false;
            }
            return f.total == 5;
        });
        QCOMPARE(frames, 6);   // the initial noise and one per step
        auto b = sample(*model, s, Objective::Epsilon, c);
        QVERIFY(torch::equal(a, b));
        c.seed = 8;
        QVERIFY(!torch::equal(a, sample(*model, s, Objective::Epsilon, c)));
        c.eta = 1.0;
        c.seed = 7;
        QVERIFY(!torch::equal(a, sample(*model, s, Objective::Epsilon, c)));   // η = 1 adds noise
    }

    void ddpmWalksEveryStepAndCancels() {
        auto model = makeDenoiser(ModelConfig::preset("mlp", 2, 0));
        ScheduleConfig sc;
        sc.timesteps = 20;
        const NoiseSchedule s(sc);
        SamplerConfig c;
        c.kind = SamplerKind::Ddpm;
        c.count = 4;
        int frames = 0;
        auto x = sample(*model, s, Objective::Velocity, c, [&](const SampleFrame&) { return ++frames > 0; });
        QCOMPARE(frames, 21);
        QCOMPARE(x.sizes(), (std::vector<int64_t>{4, 2}));
        QVERIFY(torch::isfinite(x).all().item<bool>());
        QVERIFY_THROWS_EXCEPTION(Cancelled, sample(*model, s, Objective::Epsilon, c,
                                                   [](const SampleFrame& f) { return f.index < 3; }));
    }

    void guidanceScalesZeroAndOne() {
        ModelConfig mc = ModelConfig::preset("mlp", 2, 0, 10);
        auto model = makeDenoiser(mc);
        // Give the class table weight so classes matter.
        for (auto& p : model->named_parameters())
            if (p.key().find("class_table") != std::string::npos) p.value().data().normal_(0, 1);
        const NoiseSchedule s;
        SamplerConfig c;
        c.steps = 10;
        c.count = 16;
        c.guidance = 0.0;   // w = 0: the unconditional prediction, whatever the class
        c.classLabel = 3;
        auto u3 = sample(*model, s, Objective::Epsilon, c);
        c.classLabel = 5;
        auto u5 = sample(*model, s, Objective::Epsilon, c);
        QVERIFY(torch::allclose(u3, u5));
        c.guidance = 1.0;   // w = 1: the plain conditional prediction
        auto c5 = sample(*model, s, Objective::Epsilon, c);
        QVERIFY(!torch::allclose(c5, u5));
        c.classLabel = 3;
        QVERIFY(!torch::allclose(sample(*model, s, Objective::Epsilon, c), c5));
        // w = 3 extrapolates beyond the conditional one.
        c.guidance = 3.0;
        auto g3 = sample(*model, s, Objective::Epsilon, c);
        QVERIFY(torch::isfinite(g3).all().item<bool>());
        QVERIFY(!torch::allclose(g3, sample(*model, s, Objective::Epsilon, [&] { auto k = c; k.guidance = 1; return k; }())));
    }
};

QTEST_GUILESS_MAIN(TestDiffusion)
#include "test_diffusion.moc"
