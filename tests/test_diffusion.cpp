// Schedules, the forward process, ε/x0/v conversions and the samplers.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "data/Dataset.h"
#include "diffusion/NoiseSchedule.h"
#include "diffusion/SampleSpaceTensors.h"
#include "diffusion/Parameterization.h"
#include "models/Denoiser.h"
#include "random/Generators.h"
#include "sampling/Guidance.h"
#include "sampling/Sampler.h"
#include "util/Cancelled.h"
#include "support/TestModels.h"

using namespace ddpm;

namespace {

// The optimal ε-predictor for data x0 ~ N(μ, σ²) in every coordinate: with
// x_t = √ᾱ x0 + √(1−ᾱ) ε, E[ε | x_t] = √(1−ᾱ) (x_t − √ᾱ μ) / (ᾱσ² + 1 − ᾱ).
class GaussianOptimalDenoiser : public Denoiser {
public:
    GaussianOptimalDenoiser(const NoiseSchedule& schedule, double mu, double sigma)
        : Denoiser(ModelConfig::preset("mlp", 2, 0)), abar_(schedule.alphasCumprod()), mu_(mu), sigma_(sigma) {}
    // x_t (B,2), t (B) -> ε̂ (B,2)
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor& t, const Condition&) override {
        const auto abar = torch::tensor(abar_, torch::kFloat64).index_select(0, t.cpu()).unsqueeze(1);   // (B,1)
        const auto x = xt.to(torch::kFloat64);
        return ((1 - abar).sqrt() * (x - abar.sqrt() * mu_) / (abar * sigma_ * sigma_ + 1 - abar)).to(torch::kFloat);
    }

private:
    std::vector<double> abar_;
    double mu_, sigma_;
};

// An independent scalar reference: every sampler step under the optimal predictor is an affine
// map x ↦ g x + h plus Gaussian noise of variance v, so the sample stays Gaussian and its mean
// and variance follow a recursion from N(0, 1).
std::pair<double, double> referenceMoments(const NoiseSchedule& schedule, const SamplingParameters& p, double mu,
                                           double sigma) {
    const auto& abar = schedule.alphasCumprod();
    const auto& betas = schedule.betas();
    const std::vector<int> ts = samplingTimesteps(p, schedule.timesteps());
    double mean = 0, variance = 1;
    for (size_t i = 0; i < ts.size(); ++i) {
        const int t = ts[i];
        const double a = abar[size_t(t)], s2 = a * sigma * sigma + 1 - a;
        const double epsGain = std::sqrt(1 - a) / s2, epsShift = -std::sqrt(1 - a) * std::sqrt(a) * mu / s2;
        const double x0Gain = (1 - std::sqrt(1 - a) * epsGain) / std::sqrt(a);
        const double x0Shift = -std::sqrt(1 - a) * epsShift / std::sqrt(a);
        double g, h, v;
        if (p.sampler == SamplerKind::Ddpm) {
            const double aPrev = t > 0 ? abar[size_t(t - 1)] : 1.0;
            const double c1 = betas[size_t(t)] * std::sqrt(aPrev) / (1 - a);
            const double c2 = (1 - aPrev) * std::sqrt(1 - betas[size_t(t)]) / (1 - a);
            g = c1 * x0Gain + c2;
            h = c1 * x0Shift;
            v = t > 0 ? betas[size_t(t)] * (1 - aPrev) / (1 - a) : 0.0;
        } else {
            const double aPrev = i + 1 < ts.size() ? abar[size_t(ts[i + 1])] : 1.0;
            const double noise = p.eta * std::sqrt((1 - aPrev) / (1 - a)) * std::sqrt(1 - a / aPrev);
            const double k = std::sqrt(std::max(0.0, 1 - aPrev - noise * noise));
            g = std::sqrt(aPrev) * x0Gain + k * epsGain;
            h = std::sqrt(aPrev) * x0Shift + k * epsShift;
            v = noise * noise;
        }
        mean = g * mean + h;
        variance = g * g * variance + v;
    }
    return {mean, variance};
}

// Returns its condition's class ids as the prediction, so a guided output is plain arithmetic.
class ClassEchoDenoiser : public Denoiser {
public:
    explicit ClassEchoDenoiser(int numClasses) : Denoiser(ModelConfig::preset("mlp", 2, 0, numClasses)) {}
    // x_t (B,2) -> (B,2), both coordinates the item's class id (the null class when unconditional)
    torch::Tensor forward(const torch::Tensor& xt, const torch::Tensor&, const Condition& condition) override {
        const Condition c = condition.empty() ? conditioning().null(xt.size(0), xt.device()) : condition;
        return c.classes.to(torch::kFloat).unsqueeze(1).expand({xt.size(0), 2}).contiguous();
    }
};

}  // namespace

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
        SamplingParameters c;
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
        c.sampler = SamplerKind::Ddpm;
        QCOMPARE(int(samplingTimesteps(c, 1000).size()), 1000);
    }

    void ddimEtaZeroIsDeterministicAndFramesAreStreamed() {
        auto model = test::seededDenoiser(ModelConfig::preset("mlp", 2, 0));
        const NoiseSchedule s;
        SamplingParameters c;
        c.steps = 5;
        c.count = 32;
        c.seed = 7;
        int frames = 0;
        auto a = sample(*model, s, Objective::Epsilon, model->config().space(), c, [&](const SampleFrame& f) {
            ++frames;
            if (f.index > 0) {
                if (!f.x0.defined()) return false;
            }
            return f.total == 5;
        });
        QCOMPARE(frames, 6);   // the initial noise and one per step
        auto b = sample(*model, s, Objective::Epsilon, model->config().space(), c);
        QVERIFY(torch::equal(a, b));
        c.seed = 8;
        QVERIFY(!torch::equal(a, sample(*model, s, Objective::Epsilon, model->config().space(), c)));
        c.eta = 1.0;
        c.seed = 7;
        QVERIFY(!torch::equal(a, sample(*model, s, Objective::Epsilon, model->config().space(), c)));   // η = 1 adds noise
    }

    void ddpmWalksEveryStepAndCancels() {
        auto model = test::seededDenoiser(ModelConfig::preset("mlp", 2, 0));
        ScheduleConfig sc;
        sc.timesteps = 20;
        const NoiseSchedule s(sc);
        SamplingParameters c;
        c.sampler = SamplerKind::Ddpm;
        c.count = 4;
        int frames = 0;
        auto x = sample(*model, s, Objective::Velocity, model->config().space(), c, [&](const SampleFrame&) { return ++frames > 0; });
        QCOMPARE(frames, 21);
        QCOMPARE(x.sizes(), (std::vector<int64_t>{4, 2}));
        QVERIFY(torch::isfinite(x).all().item<bool>());
        QVERIFY_THROWS_EXCEPTION(Cancelled, sample(*model, s, Objective::Epsilon, model->config().space(), c,
                                                   [](const SampleFrame& f) { return f.index < 3; }));
    }

    void guidanceScalesZeroAndOne() {
        ModelConfig mc = ModelConfig::preset("mlp", 2, 0, 10);
        auto model = test::seededDenoiser(mc);   // the class table starts N(0,1): classes matter
        const NoiseSchedule s;
        SamplingParameters c;
        c.steps = 10;
        c.count = 16;
        c.guidance = 0.0;   // w = 0: the unconditional prediction, whatever the class
        c.classLabel = 3;
        auto u3 = sample(*model, s, Objective::Epsilon, model->config().space(), c);
        c.classLabel = 5;
        auto u5 = sample(*model, s, Objective::Epsilon, model->config().space(), c);
        QVERIFY(torch::allclose(u3, u5));
        c.guidance = 1.0;   // w = 1: the plain conditional prediction
        auto c5 = sample(*model, s, Objective::Epsilon, model->config().space(), c);
        QVERIFY(!torch::allclose(c5, u5));
        c.classLabel = 3;
        QVERIFY(!torch::allclose(sample(*model, s, Objective::Epsilon, model->config().space(), c), c5));
        // w = 3 extrapolates beyond the conditional one.
        c.guidance = 3.0;
        auto g3 = sample(*model, s, Objective::Epsilon, model->config().space(), c);
        QVERIFY(torch::isfinite(g3).all().item<bool>());
        QVERIFY(!torch::allclose(g3, sample(*model, s, Objective::Epsilon, model->config().space(), [&] { auto k = c; k.guidance = 1; return k; }())));
    }
    void sampleSpacesDescribeShapeDataAndClipping() {
        const SampleSpace digits = SampleSpace::pixels(1, 28, 28), toy = SampleSpace::points();
        QCOMPARE(digits.batchShape(5), (std::vector<int64_t>{5, 1, 28, 28}));
        QCOMPARE(toy.batchShape(5), (std::vector<int64_t>{5, 2}));
        QVERIFY(digits.boundedToUnitRange() && !toy.boundedToUnitRange());
        QCOMPARE(digits.describe(), std::string("28×28×1 pixels"));
        QVERIFY(digits != toy && digits == SampleSpace::pixels(1, 28, 28));
        // The model's space is what the sampler draws in.
        QVERIFY(ModelConfig::preset("tiny", 3, 32).space() == SampleSpace::pixels(3, 32, 32));
        QVERIFY(ModelConfig::preset("mlp", 2, 0).space() == toy);
        auto mlp = test::seededDenoiser(ModelConfig::preset("mlp", 2, 0));
        SamplingParameters p;
        p.steps = 2;
        p.count = 3;
        QCOMPARE(sample(*mlp, NoiseSchedule(), Objective::Epsilon, mlp->config().space(), p).sizes(), (std::vector<int64_t>{3, 2}));
        // Data into the space: uint8 pixels to [-1,1], points as they are.
        Dataset images;
        images.kind = DatasetKind::Images;
        images.count = 1;
        images.channels = 1;
        images.height = images.width = 2;
        images.pixels = {0, 255, 51, 204};
        QVERIFY(sampleSpaceOf(images) == SampleSpace::pixels(1, 2, 2));
        const auto x = toModelSpace(sampleSpaceOf(images), storedItems(images, 0, 1, sampleSpaceOf(images)));
        QVERIFY(torch::allclose(x.flatten(), torch::tensor({-1.0f, 1.0f, -0.6f, 0.6f})));
        Dataset cloud;
        cloud.kind = DatasetKind::Points;
        cloud.count = 2;
        cloud.points = {0.5f, -1.5f, 2.0f, 3.0f};
        QVERIFY(torch::equal(toModelSpace(toy, storedItems(cloud, 1, 1, toy)), torch::tensor({{2.0f, 3.0f}})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, storedItems(cloud, 0, 1, digits));
    }

    void guidanceCombinesTheConditionalAndNullHalvesTheRightWayRound() {
        // out = out_u + w (out_c − out_u): class 1, null class 10, w = 2 gives 10 + 2 (1 − 10) = −8.
        // Swapped halves would give 1 + 2 (10 − 1) = 19.
        ClassEchoDenoiser model(10);
        const auto x = torch::zeros({3, 2}), t = torch::zeros({3}, torch::kInt64);
        const Condition c = model.conditioning().fromLabels(torch::tensor({1, 4, 9}, torch::kInt64));
        const auto guided = guidedOutput(model, x, t, c, 2.0);
        QVERIFY(torch::equal(guided.select(1, 0), torch::tensor({-8.0f, -2.0f, 8.0f})));
        QVERIFY(torch::equal(guidedOutput(model, x, t, c, 1.0).select(1, 0), torch::tensor({1.0f, 4.0f, 9.0f})));
        QVERIFY(torch::equal(guidedOutput(model, x, t, c, 0.0).select(1, 0), torch::full({3}, 10.0f)));
        // The null condition and its dropout come from the same place.
        auto generator = makeGenerator(1);
        const Condition all = model.conditioning().dropped(c, 1.0, generator);
        QVERIFY(torch::equal(all.classes, torch::full({3}, 10, torch::kInt64)));
        QVERIFY(torch::equal(model.conditioning().dropped(c, 0.0, generator).classes, c.classes));
    }

    void samplersDrawTheKnownGaussianUnderTheOptimalPredictor() {
        // Data N(0.5, 0.3²); the exact ε-predictor; 20,000 two-coordinate samples (40,000 values).
        const double mu = 0.5, sigma = 0.3;
        const NoiseSchedule schedule;
        GaussianOptimalDenoiser model(schedule, mu, sigma);
        struct Case { SamplerKind kind; int steps; double eta; };
        const std::vector<Case> cases = {{SamplerKind::Ddpm, 0, 0.0}, {SamplerKind::Ddim, 1000, 0.0},
                                         {SamplerKind::Ddim, 50, 0.0}, {SamplerKind::Ddim, 50, 1.0},
                                         {SamplerKind::Ddim, 10, 0.0}, {SamplerKind::Ddim, 10, 1.0}};
        for (const Case& k : cases) {
            SamplingParameters p;
            p.sampler = k.kind;
            p.steps = k.steps;
            p.eta = k.eta;
            p.count = 20000;
            p.seed = 11;
            p.precision = Precision::Fp32;
            const auto x = sample(model, schedule, Objective::Epsilon, model.config().space(), p).to(torch::kFloat64);   // (20000,2)
            const double n = double(x.numel()), mean = x.mean().item<double>(), variance = x.var().item<double>();
            const auto [refMean, refVariance] = referenceMoments(schedule, p, mu, sigma);
            // Within 5 standard errors of the reference's mean and variance.
            const double meanError = 5 * std::sqrt(refVariance / n), varianceError = 5 * refVariance * std::sqrt(2 / n);
            const QString what = QString("%1 %2 steps eta %3: mean %4 (ref %5), variance %6 (ref %7)")
                                     .arg(QString::fromStdString(toString(k.kind))).arg(k.steps).arg(k.eta)
                                     .arg(mean).arg(refMean).arg(variance).arg(refVariance);
            QVERIFY2(std::abs(mean - refMean) < meanError, qPrintable(what));
            QVERIFY2(std::abs(variance - refVariance) < varianceError, qPrintable(what));
            // With all T steps the chain itself draws the data distribution.
            if (k.kind == SamplerKind::Ddpm || k.steps == 1000) {
                QVERIFY2(std::abs(mean - mu) < meanError, qPrintable(what));
                QVERIFY2(std::abs(variance - sigma * sigma) < 0.03 * sigma * sigma + varianceError, qPrintable(what));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestDiffusion)
#include "test_diffusion.moc"
