// The Timeline tab: x_t of the chosen image from t = 0 (the image) to T−1
// (noise), continuous scrubbing with fixed noise, the strip, the schedule
// plot following the schedule and T, keyboard and play, the worker thread,
// the toy scatter, and a latent model's latents noised and decoded. Runs
// headless (QT_QPA_PLATFORM=offscreen).
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include <torch/optim/adamw.h>

#include "StudioSettings.h"
#include "autoencoder/LatentCodec.h"
#include "common/PointsPlot.h"
#include "dataset/DatasetImage.h"
#include "dataset/DatasetView.h"
#include "random/Generators.h"
#include "training/Checkpoint.h"
#include "timeline/ForwardNoisingWorker.h"
#include "timeline/ScheduleCurvesPlot.h"
#include "timeline/TimelineView.h"

using namespace ddpm::ui;

namespace {

constexpr int kTimeoutMs = 30000;

struct PixelStats {
    double meanAbsDiff = 0, maxAbsDiff = 0, correlation = 0;
};

// Compares two grey images of the same size pixel by pixel.
PixelStats compare(const QImage& a, const QImage& b) {
    const QImage ga = a.convertToFormat(QImage::Format_Grayscale8), gb = b.convertToFormat(QImage::Format_Grayscale8);
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, diff = 0, maxDiff = 0;
    const int n = ga.width() * ga.height();
    for (int y = 0; y < ga.height(); ++y)
        for (int x = 0; x < ga.width(); ++x) {
            const double va = ga.constScanLine(y)[x], vb = gb.constScanLine(y)[x];
            sa += va, sb += vb, saa += va * va, sbb += vb * vb, sab += va * vb;
            diff += std::abs(va - vb);
            maxDiff = std::max(maxDiff, std::abs(va - vb));
        }
    const double cov = sab / n - sa / n * sb / n;
    const double var = std::sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
    return {diff / n, maxDiff, var > 0 ? cov / var : 0};
}

}  // namespace

class TestTimelineView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settingsDir_;

    // Moves to t and waits until the view shows it.
    static QImage imageAt(TimelineView& view, int t) {
        view.setT(t);
        const bool shown = QTest::qWaitFor([&] { return view.shown().t == t && !view.shown().xt.isNull(); }, kTimeoutMs);
        return shown ? view.shown().xt : QImage();
    }

    static bool load(DatasetView& datasets, const QString& name) {
        datasets.loadDataset(name);
        return QTest::qWaitFor([&] { return datasets.dataset() && datasets.dataset()->name == name.toStdString(); },
                               kTimeoutMs);
    }

private slots:
    void initTestCase() {
        QVERIFY(settingsDir_.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
    }

    void init() { QSettings(kOrganizationName, kApplicationName).clear(); }

    void noisesTheChosenImageFromCleanToNoise() {
        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "mnist"));
        datasets.chooseImage(3);
        const QImage original = datasetImage(*datasets.dataset(), 3);
        // A result for the image shown before the choice may still arrive first.
        QVERIFY(QTest::qWaitFor([&] { return view.shown().index == 3; }, kTimeoutMs));
        QCOMPARE(view.schedule().kind, QString("linear"));
        QCOMPARE(view.schedule().timesteps, 1000);

        // t = 0: β_0 = 1e-4 adds noise of std 0.01 (about 1.3 grey levels): the image itself.
        const QImage clean = imageAt(view, 0);
        QCOMPARE(clean.size(), original.size());
        const PixelStats atZero = compare(clean, original);
        QVERIFY2(atZero.meanAbsDiff < 1.5 && atZero.maxAbsDiff <= 8,
                 qPrintable(QString("mean %1 max %2").arg(atZero.meanAbsDiff).arg(atZero.maxAbsDiff)));
        // t = T−1: √ᾱ ≈ 0.006, nothing of the digit is left.
        const PixelStats atEnd = compare(imageAt(view, 999), original);
        QVERIFY2(std::abs(atEnd.correlation) < 0.2, qPrintable(QString::number(atEnd.correlation)));
        QVERIFY(atEnd.meanAbsDiff > 50);
        // In between, the digit shows through the noise.
        QVERIFY(compare(imageAt(view, 100), original).correlation > 0.5);
    }

    void scrubbingBackShowsTheSameImage() {
        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "mnist"));
        const QImage first = imageAt(view, 400);
        QVERIFY(!first.isNull());
        QVERIFY(imageAt(view, 401) != first);
        QVERIFY(!imageAt(view, 900).isNull());
        QCOMPARE(imageAt(view, 400), first);   // the same noise ε: the same picture
        // Another image has its own noise, and coming back gives the first again.
        datasets.chooseImage(1);
        QTRY_VERIFY_WITH_TIMEOUT(view.shown().xt != first, kTimeoutMs);
        datasets.chooseImage(0);
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().xt, first, kTimeoutMs);
    }

    void stripShowsTheChosenSteps() {
        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "mnist"));
        QCOMPARE(view.stripSteps(), (QVector<int>{0, 100, 500, 999}));
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().strip.size(), 4, kTimeoutMs);
        QCOMPARE(view.shown().strip[1], imageAt(view, 100));   // the strip is x_t at its steps

        QVERIFY(view.setStripSteps("0, 250, 2000"));   // beyond T−1: left out
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().stripSteps, (QVector<int>{0, 250}), kTimeoutMs);
        QCOMPARE(view.shown().strip.size(), 2);
        QVERIFY(!view.setStripSteps("ten, twenty"));
        QCOMPARE(view.stripSteps(), (QVector<int>{0, 250, 2000}));
    }

    void scheduleSwitchChangesPlotAndImages() {
        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "mnist"));
        const QImage linear = imageAt(view, 500);
        ScheduleCurvesPlot* plot = view.curvesPlot();
        QTRY_COMPARE_WITH_TIMEOUT(plot->graph(1)->dataCount(), 1000, kTimeoutMs);
        const double linearAbar = plot->graph(1)->data()->at(500)->value;
        QCOMPARE(plot->cursorT(), 500.0);

        view.setSchedule({"cosine", 1000});
        QTRY_COMPARE_WITH_TIMEOUT(plot->curves().schedule.kind, QString("cosine"), kTimeoutMs);
        const double cosineAbar = plot->graph(1)->data()->at(500)->value;
        // ᾱ_500: linear ≈ 0.078, cosine ≈ 0.49.
        QVERIFY2(std::abs(linearAbar - 0.078) < 0.01, qPrintable(QString::number(linearAbar)));
        QVERIFY2(std::abs(cosineAbar - 0.49) < 0.02, qPrintable(QString::number(cosineAbar)));
        QTRY_VERIFY_WITH_TIMEOUT(view.shown().curves.schedule.kind == "cosine" && view.shown().t == 500, kTimeoutMs);
        QVERIFY(view.shown().xt != linear);

        // A shorter T: the slider and the plot follow, and t is kept inside.
        view.setT(900);
        view.setSchedule({"sigmoid", 200});
        QCOMPARE(view.t(), 199);
        QTRY_COMPARE_WITH_TIMEOUT(plot->graph(0)->dataCount(), 200, kTimeoutMs);
        QCOMPARE(plot->xAxis->range().upper, 199.0);
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().t, 199, kTimeoutMs);
        // The schedule survives a restart.
    }

    void settingsSurviveARestart() {
        {
            DatasetView datasets;
            TimelineView view(&datasets);
            view.setSchedule({"cosine", 500});
            view.setT(321);
            QVERIFY(view.setStripSteps("1, 2, 3"));
        }
        DatasetView datasets;
        TimelineView view(&datasets);
        QCOMPARE(view.schedule().kind, QString("cosine"));
        QCOMPARE(view.schedule().timesteps, 500);
        QCOMPARE(view.t(), 321);
        QCOMPARE(view.stripSteps(), (QVector<int>{1, 2, 3}));
    }

    void keyboardAndPlayMoveT() {
        DatasetView datasets;
        TimelineView view(&datasets);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(datasets, "mnist"));
        view.setT(10);
        QTest::keyClick(&view, Qt::Key_Right);
        QCOMPARE(view.t(), 11);
        QTest::keyClick(&view, Qt::Key_Left);
        QTest::keyClick(&view, Qt::Key_Left);
        QCOMPARE(view.t(), 9);
        QTest::keyClick(&view, Qt::Key_End);
        QCOMPARE(view.t(), 999);

        view.setT(0);
        view.setPlaying(true);
        QVERIFY(view.isPlaying());
        QTRY_VERIFY_WITH_TIMEOUT(view.shown().t > 20, kTimeoutMs);
        view.setPlaying(false);
        const int stoppedAt = view.t();
        QTest::qWait(150);
        QCOMPARE(view.t(), stoppedAt);
    }

    void computesOnTheWorkerThread() {
        DatasetView datasets;
        TimelineView view(&datasets);
        auto* worker = view.findChild<ForwardNoisingWorker*>();
        QVERIFY(worker);
        std::atomic<int> onGui{0}, onWorker{0};
        connect(worker, &ForwardNoisingWorker::computed, worker,
                [&] { (QThread::currentThread() == qApp->thread() ? onGui : onWorker)++; }, Qt::DirectConnection);
        QVERIFY(load(datasets, "mnist"));
        // Many requests while dragging: the newest wins, none is lost at the end.
        for (int t = 0; t < 300; t += 3) view.setT(t);
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().t, 297, kTimeoutMs);
        QVERIFY(onWorker > 0);
        QCOMPARE(int(onGui), 0);
    }

    void latentModelNoisesTheImagesLatents() {
        // A latent model of the digits (8×8×4 through a small autoencoder); its weights do not matter here.
        ddpm::AutoencoderConfig vae;
        vae.inChannels = 1;
        vae.resolution = 28;
        vae.baseChannels = 8;
        vae.groups = 4;
        at::Generator init = ddpm::makeGenerator(1, ddpm::RandomStream::WeightInit);
        ddpm::TrainedAutoencoder autoencoder;
        autoencoder.model = ddpm::makeAutoencoder(vae, init);
        ddpm::RunConfig run;
        run.model = ddpm::ModelConfig::preset("tiny", 4, 8);
        run.model.baseChannels = 8;
        run.model.groups = 4;
        run.data.name = "mnist";
        run.data.space = ddpm::latentSpaceOf(vae);
        auto model = ddpm::makeDenoiser(run.model, init);
        torch::optim::AdamW optimizer(model->parameters());
        const std::string checkpoint = settingsDir_.filePath("latent.ckpt").toStdString();
        ddpm::saveCheckpoint(checkpoint, run, *model, *model, optimizer, {}, 0,
                             {ddpm::generatorState(ddpm::makeGenerator(1)), {}}, &autoencoder);

        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "mnist"));
        view.setModel(QString::fromStdString(checkpoint));
        QVERIFY(!imageAt(view, 300).isNull());
        QVERIFY(QTest::qWaitFor([&] { return !view.shown().latentChannels.isNull(); }, kTimeoutMs));
        QCOMPARE(view.shown().xt.size(), QSize(28, 28));                   // decoded
        QCOMPARE(view.shown().latentChannels.size(), QSize(4 * 9 + 1, 10));   // four 8×8 channels, 1 px apart
        QVERIFY2(view.shown().space.contains("8×8×4 latents of 28×28×1 pixels"), qPrintable(view.shown().space));
        QCOMPARE(view.shown().strip.size(), view.stripSteps().size());
        QCOMPARE(view.shown().strip.first().size(), QSize(28, 28));

        view.setModel(QString());   // no model open: the pixels themselves again
        QVERIFY(QTest::qWaitFor([&] { return view.shown().latentChannels.isNull() && view.shown().space.isEmpty(); },
                                kTimeoutMs));
    }

    void toyDatasetsScatterTheNoisedPoints() {
        DatasetView datasets;
        TimelineView view(&datasets);
        QVERIFY(load(datasets, "toy:gmm8"));
        PointsPlot* plot = view.pointsPlot();
        QCOMPARE(plot->backdropCount(), 10000);
        view.setT(0);
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().xtPoints.size(), 10000, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(plot->pointCount(), 10000, kTimeoutMs);
        // t = 0: the points are the data, moved by noise of std 0.01.
        const auto& data = datasets.dataset()->points;
        double worst = 0;
        for (int i = 0; i < 10000; ++i)
            worst = std::max(worst, std::hypot(view.shown().xtPoints[i].x() - data[size_t(2 * i)],
                                               view.shown().xtPoints[i].y() - data[size_t(2 * i + 1)]));
        QVERIFY2(worst < 0.1, qPrintable(QString::number(worst)));
        // t = T−1: a unit Gaussian.
        view.setT(999);
        QTRY_COMPARE_WITH_TIMEOUT(view.shown().t, 999, kTimeoutMs);
        double sum = 0, sumSq = 0;
        for (const QPointF& p : view.shown().xtPoints) sum += p.x(), sumSq += p.x() * p.x();
        const double mean = sum / 10000, var = sumSq / 10000 - mean * mean;
        QVERIFY2(std::abs(mean) < 0.05 && std::abs(var - 1) < 0.1, qPrintable(QString("%1 %2").arg(mean).arg(var)));
    }
};

QTEST_MAIN(TestTimelineView)
#include "test_timeline_view.moc"
