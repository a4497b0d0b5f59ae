// The Denoise and Samples tabs: the shipped model loaded on the worker, DDIM
// frames streamed and kept as a trajectory, cancel mid-way, scrubbing,
// animated-PNG / MP4 / strip export, a sample grid exported with its settings
// in text chunks and restored by dropping the PNG on the window, and a 2-D toy
// model trained here. Runs headless (QT_QPA_PLATFORM=offscreen); with
// DDPM_SCREENSHOT_DIR set it also saves pictures of the tabs there.
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "MainWindow.h"
#include "StudioSettings.h"
#include "common/PointsPlot.h"
#include "conditioning/PromptEncoding.h"
#include "data/EmojiSet.h"
#include "data/ToyDatasets.h"
#include "dataset/DatasetView.h"
#include "generation/DenoiseView.h"
#include "generation/SamplerControls.h"
#include "generation/SamplesView.h"
#include "generation/TrajectoryPlayer.h"
#include "image/Apng.h"
#include "image/ImageGrid.h"
#include "timeline/TimelineView.h"
#include "training/SamplePreview.h"
#include "training/TrainSettingsPanel.h"
#include "training/TrainView.h"
#include "support/TestDatasets.h"
#include "support/TinyClipFolder.h"
#include "training/Trainer.h"
#include "util/ResourcePaths.h"

using namespace ddpm::ui;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 60000;

QString shippedModel(const char* file = "models/mnist-tiny.ckpt") {
    return QString::fromStdString(ddpm::findResource(file).string());
}

ddpm::SamplingParameters ddim(int steps, int count, quint64 seed = 0) {
    ddpm::SamplingParameters r;
    r.sampler = ddpm::SamplerKind::Ddim;
    r.steps = steps;
    r.count = count;
    r.seed = seed;
    return r;
}

bool dropFile(QWidget* target, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

void saveScreenshot(QWidget& widget, const char* name) {
    const QString folder = qEnvironmentVariable("DDPM_SCREENSHOT_DIR");
    if (folder.isEmpty()) return;
    QTest::qWait(200);   // queued replots
    QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
}

// The Samples tab drawing 64 samples (DDIM-50, seed 0) of the open model, saved as `name`.
void screenshotSamples(MainWindow& window, const char* name) {
    SamplesView& samples = *window.samplesView();
    QTRY_VERIFY_WITH_TIMEOUT(samples.hasModel(), kTimeoutMs);
    window.tabs()->setCurrentWidget(&samples);
    samples.controls()->setParameters(ddim(50, 64, 0));
    QSignalSpy drawn(&samples, &SamplesView::runFinished);
    samples.generate();
    QVERIFY(drawn.wait(kTimeoutMs));
    window.statusBar()->clearMessage();   // it may name the model's file
    saveScreenshot(window, name);
}

}  // namespace

class TestGenerationViews : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settingsDir_, tmp_;
    QString toyCheckpoint_;

    QString path(const char* name) const { return QDir(tmp_.path()).filePath(name); }

    template <typename View>
    static bool loadModel(View& view, const QString& checkpoint) {
        QSignalSpy ready(&view, &View::modelReady);
        view.setCheckpoint(checkpoint);
        return ready.wait(kTimeoutMs);
    }

    // A 2-D model in seconds: the MLP on toy:moons, 300 steps.
    QString trainToyModel() {
        const ddpm::Dataset moons = ddpm::makeToyDataset("moons", 2000, 1);
        ddpm::RunConfig config;
        config.model = ddpm::ModelConfig::preset("mlp", 2, 0);
        config.model.mlpHidden = 64;
        config.data = ddpm::dataInfoOf(moons, config.model);
        config.data.name = "toy:moons";
        config.schedule.timesteps = 200;
        config.train.batchSize = 128;
        ddpm::Trainer trainer(config, moons, torch::kCPU);
        trainer.setHorizon(300, 0);
        while (!trainer.finished()) trainer.step();
        const QString file = path("moons.ckpt");
        trainer.save(file.toStdString());
        return file;
    }

    // A text model in seconds: the captioned squares, 20 steps.
    // Denoises two samples of the prompt in `denoise`'s field in `steps` DDIM steps at guidance 2,
    // showing where they attend to `word`; false when the run does not finish in time.
    static bool denoiseAttendingTo(DenoiseView& denoise, const QString& word, int steps) {
        auto* words = denoise.findChild<QComboBox*>("denoiseAttentionWord");
        words->setCurrentIndex(words->findText(word));
        ddpm::SamplingParameters p = denoise.controls()->parameters();
        p.steps = steps;
        p.count = 2;
        p.guidance = 2;
        denoise.controls()->setParameters(p);
        QSignalSpy done(&denoise, &DenoiseView::runFinished);
        denoise.generate();
        return done.wait(kTimeoutMs);
    }

    // A small text model of the captioned squares: the built-in encoder, or CLIP from `clipFolder`.
    // dataName: the data the run names (the placeholders follow it), the squares' own by default;
    // extraWords join the built-in vocabulary.
    QString trainTextModel(const QString& clipFolder = QString(), const std::string& dataName = std::string(),
                           const std::vector<std::string>& extraWords = {}) {
        const ddpm::Dataset d = ddpm::test::captionedSquares();
        ddpm::RunConfig config;
        config.model = ddpm::ModelConfig::preset("tiny", 1, 16);
        config.model.baseChannels = 8;
        config.model.groups = 4;
        config.model.channelMults = {1, 2};
        config.model.attentionLevels = {};
        if (clipFolder.isEmpty()) {
            std::vector<std::string> words = ddpm::captionVocabulary(d);
            words.insert(words.end(), extraWords.begin(), extraWords.end());
            config.model.useBuiltinText(words);
            config.model.text.width = 16;
            config.model.text.layers = 1;
        } else {
            config.model.useClipText(clipFolder.toStdString(), 32, 24);
        }
        config.data = ddpm::dataInfoOf(d, config.model);
        if (!dataName.empty()) config.data.name = dataName;
        config.train.batchSize = 8;
        ddpm::Trainer trainer(config, d, torch::kCPU);
        for (int i = 0; i < 20; ++i) trainer.step();
        const QString file = path(qPrintable(QString::fromStdString(dataName) + QString::number(extraWords.size()) +
                                             (clipFolder.isEmpty() ? "squares.ckpt" : "clip-squares.ckpt")));
        trainer.save(file.toStdString());
        return file;
    }

    struct DenoiseShot {
        const char* prompt;
        const char* word;   // whose attention map is shown
        const char* file;
    };
    struct SamplesShot {
        const char* prompt;
        const char* file;
        QStringList rows = {};   // a row of 8 per prompt instead of 64 of `prompt`
    };

    // Denoise with a prompt and its word's attention at step 25 of 50, then 64 samples of another.
    void takeTextScreenshots(const char* modelVariable, const QString& dataset, DenoiseShot shot, SamplesShot grid) {
        const QString model = qEnvironmentVariable(modelVariable);
        if (qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR") || model.isEmpty())
            QSKIP(qPrintable(QString("DDPM_SCREENSHOT_DIR and %1 are not both set").arg(modelVariable)));
        MainWindow window;
        window.resize(1360, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openDataset(dataset);
        QTRY_VERIFY_WITH_TIMEOUT(window.datasetView()->dataset() && window.datasetView()->dataset()->name == dataset.toStdString(),
                                 120000);
        window.openCheckpoint(model);
        DenoiseView& denoise = *window.denoiseView();
        QTRY_VERIFY_WITH_TIMEOUT(denoise.hasModel() && denoise.model().takesPrompts(), kTimeoutMs);
        window.tabs()->setCurrentWidget(&denoise);
        ddpm::SamplingParameters p = ddim(50, 16, 2);
        p.prompt = shot.prompt;
        p.guidance = 3;
        denoise.controls()->setParameters(p);
        auto* word = denoise.findChild<QComboBox*>("denoiseAttentionWord");
        QTRY_VERIFY(word->findText(shot.word) > 0);
        word->setCurrentIndex(word->findText(shot.word));
        QSignalSpy done(&denoise, &DenoiseView::runFinished);
        denoise.generate();
        QVERIFY(done.wait(kTimeoutMs));
        denoise.player()->setFrame(25);
        window.statusBar()->clearMessage();
        saveScreenshot(window, shot.file);

        SamplesView& samples = *window.samplesView();
        QTRY_VERIFY_WITH_TIMEOUT(samples.hasModel(), kTimeoutMs);
        window.tabs()->setCurrentWidget(&samples);
        p = ddim(50, grid.rows.isEmpty() ? 64 : 8, 0);
        p.prompt = grid.prompt;
        p.guidance = 3;
        samples.controls()->setParameters(p);
        samples.setRowPrompts(grid.rows);
        QSignalSpy drawn(&samples, &SamplesView::runFinished);
        samples.generate();
        QVERIFY(drawn.wait(kTimeoutMs));
        window.statusBar()->clearMessage();
        saveScreenshot(window, grid.file);
    }

private slots:
    void initTestCase() {
        QVERIFY(settingsDir_.isValid());
        QVERIFY(tmp_.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
        qputenv("DDPM_STUDIO_CACHE_DIR", QFile::encodeName(path("cache")));   // the rendered emoji
        toyCheckpoint_ = trainToyModel();
    }

    void init() { QSettings(kOrganizationName, kApplicationName).clear(); }

    void theWindowHandsTheModelToBothTabs() {
        {
            MainWindow window;
            QVERIFY(window.findChild<QAction*>("actionOpenCheckpoint"));
            // Timeline, Denoise and Samples follow each other (other tabs may come before and after).
            const int timeline = window.tabs()->indexOf(window.timelineView());
            QVERIFY(timeline >= 0);
            QCOMPARE(window.tabs()->indexOf(window.denoiseView()), timeline + 1);
            QCOMPARE(window.tabs()->indexOf(window.samplesView()), timeline + 2);
            QCOMPARE(window.tabs()->tabText(timeline + 2), QString("Samples"));
            window.openDefaultCheckpoint();   // first launch: the shipped model
            QTRY_VERIFY_WITH_TIMEOUT(window.denoiseView()->hasModel() && window.samplesView()->hasModel(), kTimeoutMs);
            QCOMPARE(window.denoiseView()->model().path, shippedModel());
            QCOMPARE(window.samplesView()->model().path, shippedModel());
            window.openCheckpoint(toyCheckpoint_);
            QTRY_VERIFY_WITH_TIMEOUT(
                window.denoiseView()->model().space.isPoints() && window.samplesView()->model().space.isPoints(), kTimeoutMs);
        }
        // The next launch opens the model last used.
        MainWindow window;
        window.openDefaultCheckpoint();
        QTRY_COMPARE_WITH_TIMEOUT(window.samplesView()->model().path, toyCheckpoint_, kTimeoutMs);
        // A file that is not a checkpoint: the tab says why, and nothing is loaded.
        QImage(4, 4, QImage::Format_Grayscale8).save(path("not-a-model.ckpt"));
        window.denoiseView()->setCheckpoint(path("not-a-model.ckpt"));
        auto* label = window.denoiseView()->findChild<QLabel*>("denoiseModel");
        QTRY_VERIFY_WITH_TIMEOUT(label->text().startsWith("No model: "), kTimeoutMs);
        QVERIFY2(label->text().contains("not-a-model.ckpt"), qPrintable(label->text()));
        QVERIFY(!window.denoiseView()->findChild<QPushButton*>("denoiseGenerate")->isEnabled());
    }

    // While a shipped model is open, the emoji set brings the shipped latent emoji model
    // and the digits bring theirs back; a model of the user's own stays.
    void aBuiltinSetBringsItsShippedModel() {
        if (!ddpm::emojiSetAvailable()) QSKIP("fonts-noto-color-emoji and unicode-data are not installed");
        MainWindow window;
        window.openDefaultCheckpoint();
        QTRY_COMPARE_WITH_TIMEOUT(window.samplesView()->model().path, shippedModel(), kTimeoutMs);
        const auto openAndWait = [&](const QString& name) {
            QSignalSpy loaded(window.datasetView(), &DatasetView::datasetChanged);
            window.openDataset(name);
            return loaded.wait(kTimeoutMs);
        };
        QVERIFY(openAndWait("emoji"));
        QTRY_COMPARE_WITH_TIMEOUT(window.samplesView()->model().path, shippedModel("models/emoji-latent.ckpt"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.samplesView()->model().description.contains("latents"), kTimeoutMs);
        QCOMPARE(window.samplesView()->model().space.channels, 3);   // it draws 64x64x3 pictures
        QTRY_COMPARE_WITH_TIMEOUT(window.denoiseView()->model().path, shippedModel("models/emoji-latent.ckpt"), kTimeoutMs);
        QVERIFY(openAndWait("mnist"));
        QTRY_COMPARE_WITH_TIMEOUT(window.samplesView()->model().path, shippedModel(), kTimeoutMs);

        window.openCheckpoint(toyCheckpoint_);
        QTRY_COMPARE_WITH_TIMEOUT(window.samplesView()->model().path, toyCheckpoint_, kTimeoutMs);
        QVERIFY(openAndWait("emoji"));
        QTest::qWait(200);
        QCOMPARE(window.samplesView()->model().path, toyCheckpoint_);
    }

    void denoiseStreamsAndKeepsTheTrajectory() {
        DenoiseView view;
        QVERIFY(loadModel(view, shippedModel()));
        QVERIFY(!view.model().space.isPoints());
        QCOMPARE(view.model().timesteps, 1000);
        view.controls()->setParameters(ddim(5, 2, 3));
        QSignalSpy done(&view, &DenoiseView::runFinished);

        QTest::mouseClick(view.findChild<QPushButton*>("denoiseGenerate"), Qt::LeftButton);
        QVERIFY(view.isRunning());
        QVERIFY(done.wait(kTimeoutMs));

        QVERIFY(!view.isRunning());
        const auto& frames = view.trajectory();
        QCOMPARE(frames.size(), 6);   // x_T and one frame per step
        for (int i = 0; i < frames.size(); ++i) {
            QCOMPARE(frames[i].index, i);
            QCOMPARE(frames[i].total, 5);
            // Two 28x28 samples side by side with 1-pixel padding: 2·28 + 3 wide.
            QCOMPARE(frames[i].xt.size(), QSize(59, 30));
            QCOMPARE(frames[i].x0.isNull(), i == 0);
        }
        QCOMPARE(frames.first().t, 1000);
        QCOMPARE(frames.last().t, 0);
        QVERIFY(frames.last().xt != frames.first().xt);
        // The player scrubs the kept frames.
        QCOMPARE(view.player()->frameCount(), 6);
        QCOMPARE(view.shownFrame(), 5);
        view.player()->setFrame(2);
        QCOMPARE(view.shownFrame(), 2);
        view.player()->stepBack();
        QCOMPARE(view.shownFrame(), 1);
        view.player()->setPlaying(true);
        QTRY_COMPARE_WITH_TIMEOUT(view.shownFrame(), 5, 5000);
        QTRY_VERIFY(!view.player()->isPlaying());   // stops at the end
    }

    void cancelLeavesAConsistentState() {
        DenoiseView view;
        QVERIFY(loadModel(view, shippedModel()));
        ddpm::SamplingParameters ddpmAll = ddim(0, 2);
        ddpmAll.sampler = ddpm::SamplerKind::Ddpm;   // 1000 steps: long enough to cancel mid-way
        view.controls()->setParameters(ddpmAll);
        QSignalSpy cancelled(&view, &DenoiseView::runCancelled);
        view.generate();
        QTRY_VERIFY_WITH_TIMEOUT(view.trajectory().size() >= 3, kTimeoutMs);
        QTest::mouseClick(view.findChild<QPushButton*>("denoiseCancel"), Qt::LeftButton);
        QVERIFY(cancelled.wait(kTimeoutMs));

        QVERIFY(!view.isRunning());
        const int kept = int(view.trajectory().size());
        QVERIFY(kept >= 3 && kept < 1001);
        for (int i = 0; i < kept; ++i) QCOMPARE(view.trajectory()[i].index, i);   // no gaps, no strays
        QCOMPARE(view.player()->frameCount(), kept);
        QVERIFY(view.findChild<QPushButton*>("denoiseGenerate")->isEnabled());
        QVERIFY(!view.findChild<QPushButton*>("denoiseCancel")->isEnabled());
        QTest::qWait(100);
        QCOMPARE(int(view.trajectory().size()), kept);   // nothing arrives after the cancel

        // The next run starts cleanly.
        view.controls()->setParameters(ddim(5, 2));
        QSignalSpy done(&view, &DenoiseView::runFinished);
        view.generate();
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(view.trajectory().size(), 6);
    }

    void exportsTheAnimation() {
        DenoiseView view;
        QVERIFY(loadModel(view, shippedModel()));
        view.controls()->setParameters(ddim(5, 4));
        QSignalSpy done(&view, &DenoiseView::runFinished);
        view.generate();
        QVERIFY(done.wait(kTimeoutMs));
        QSignalSpy exported(&view, &DenoiseView::exportFinished);

        view.exportAnimation(path("denoise.png"));
        QVERIFY(exported.wait(kTimeoutMs));
        QCOMPARE(exported.last().at(1).toString(), QString());
        const ddpm::ApngFile apng = ddpm::readApng(path("denoise.png").toStdString());
        QCOMPARE(int(apng.frames.size()), 6);
        QCOMPARE(apng.channels, 3);
        QCOMPARE(apng.delaysMs.front(), 1000 / view.player()->framesPerSecond());
        QVERIFY(apng.height >= 256);   // enlarged, not 28-pixel frames
        QVERIFY(cv::norm(apng.frames.front(), apng.frames.back(), cv::NORM_L1) > 0);

        view.exportAnimation(path("denoise.mp4"));
        QVERIFY(exported.wait(kTimeoutMs));
        const QString mp4Error = exported.last().at(1).toString();
        if (mp4Error.isEmpty()) QVERIFY(QFileInfo(path("denoise.mp4")).size() > 0);
        else QVERIFY2(mp4Error.contains("no MP4 encoder could be opened"), qPrintable(mp4Error));
        qInfo() << "MP4 export:" << (mp4Error.isEmpty() ? QString("%1 bytes").arg(QFileInfo(path("denoise.mp4")).size()) : mp4Error);

        view.exportStrip(path("strip.png"));
        QVERIFY(exported.wait(kTimeoutMs));
        QCOMPARE(exported.last().at(1).toString(), QString());
        const auto text = ddpm::readPngText(path("strip.png").toStdString());
        QCOMPARE(text.at("ddpm:sampler"), std::string("ddim"));
        QCOMPARE(text.at("ddpm:steps"), std::string("5"));
        QCOMPARE(QImage(path("strip.png")).isNull(), false);

        // An unwritable place gets a message naming it, not a crash.
        view.exportAnimation("/nonexistent-folder/denoise.png");
        QVERIFY(exported.wait(kTimeoutMs));
        QVERIFY(exported.last().at(1).toString().contains("/nonexistent-folder/denoise.png"));
    }

    void samplesExportCarriesTheParametersAndADropRestoresThem() {
        MainWindow window;
        SamplesView& samples = *window.samplesView();
        QVERIFY(loadModel(samples, shippedModel()));
        samples.controls()->setParameters(ddim(4, 4, 7));
        QSignalSpy done(&samples, &SamplesView::runFinished);
        QTest::mouseClick(samples.findChild<QPushButton*>("samplesGenerate"), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(samples.result().images.size(), 4);
        QCOMPARE(samples.gridImage().size(), QSize(2 * 28 + 3 * 2, 2 * 28 + 3 * 2));

        samples.findChild<QSpinBox*>("samplesPadding")->setValue(5);
        QVERIFY(samples.exportPng(path("grid.png")));
        const QImage written(path("grid.png"));
        QCOMPARE(written.size(), QSize(2 * 28 + 3 * 5, 2 * 28 + 3 * 5));
        const auto text = ddpm::readPngText(path("grid.png").toStdString());
        QCOMPARE(text.at("ddpm:sampler"), std::string("ddim"));
        QCOMPARE(text.at("ddpm:steps"), std::string("4"));
        QCOMPARE(text.at("ddpm:seed"), std::string("7"));
        QCOMPARE(text.at("ddpm:count"), std::string("4"));
        QCOMPARE(text.at("ddpm:checkpoint"), std::string("mnist-tiny.ckpt"));

        // Other settings now; dropping the PNG on the window brings the grid's back.
        ddpm::SamplingParameters other = ddim(50, 9, 1);
        other.eta = 0.8;
        samples.controls()->setParameters(other);
        window.tabs()->setCurrentIndex(0);
        QVERIFY(dropFile(&window, path("grid.png")));
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget*>(&samples));
        QVERIFY(!window.datasetView()->isLoading());   // not opened as a dataset
        const ddpm::SamplingParameters restored = samples.controls()->parameters();
        QVERIFY(restored.sampler == ddpm::SamplerKind::Ddim);
        QCOMPARE(restored.steps, 4);
        QCOMPARE(restored.seed, uint64_t(7));
        QCOMPARE(restored.count, int64_t(4));
        QCOMPARE(restored.eta, 0.0);

        // The same seed and settings draw the same grid again.
        const QImage first = samples.gridImage();
        samples.generate();
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(samples.gridImage(), first);

        // A PNG without our chunks is still a dataset drop; a damaged value is named.
        QImage(8, 8, QImage::Format_Grayscale8).save(path("plain.png"));
        QVERIFY(!SamplesView::carriesSamplingParameters(path("plain.png")));
        ddpm::writePng(path("bad.png").toStdString(), cv::Mat(4, 4, CV_8UC1, cv::Scalar(0)),
                       {{"ddpm:sampler", "ddim"}, {"ddpm:seed", "seven"}});
        QVERIFY(!samples.restoreFromPng(path("bad.png")));
        QVERIFY(samples.findChild<QLabel*>("samplesMessage")->text().contains("ddpm:seed"));
    }

    void toyModelsShowPointsAndPaths() {
        DenoiseView denoise;
        QVERIFY(loadModel(denoise, toyCheckpoint_));
        QVERIFY(denoise.model().space.isPoints());
        QCOMPARE(denoise.model().timesteps, 200);
        QCOMPARE(denoise.model().dataPoints.size(), 2000);
        denoise.controls()->setParameters(ddim(5, 16));
        QSignalSpy done(&denoise, &DenoiseView::runFinished);
        denoise.generate();
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(denoise.trajectory().size(), 6);
        QCOMPARE(denoise.trajectory().last().xtPoints.size(), 16);
        auto* plot = denoise.findChild<PointsPlot*>("denoisePoints");
        QCOMPARE(plot->pointCount(), 16);
        QCOMPARE(plot->backdropCount(), 2000);
        QCOMPARE(plot->plottableCount(), 2 + 16);   // backdrop, points and one path per point
        QSignalSpy exported(&denoise, &DenoiseView::exportFinished);
        denoise.exportAnimation(path("toy.png"));
        QVERIFY(exported.wait(kTimeoutMs));
        QCOMPARE(int(ddpm::readApng(path("toy.png").toStdString()).frames.size()), 6);

        SamplesView samples;
        QVERIFY(loadModel(samples, toyCheckpoint_));
        samples.controls()->setParameters(ddim(20, 200));
        QSignalSpy drawn(&samples, &SamplesView::runFinished);
        samples.generate();
        QVERIFY(drawn.wait(kTimeoutMs));
        const auto& points = samples.result().points;
        QCOMPARE(points.size(), 200);
        // A few hundred steps of training already put the samples near the data's scale.
        double sumSq = 0;
        for (const QPointF& p : points) sumSq += p.x() * p.x() + p.y() * p.y();
        QVERIFY2(std::sqrt(sumSq / points.size()) < 3, qPrintable(QString::number(std::sqrt(sumSq / points.size()))));
        QVERIFY(samples.exportPng(path("toy-samples.png")));
        QCOMPARE(ddpm::readPngText(path("toy-samples.png").toStdString()).at("ddpm:count"), std::string("200"));
    }

    // A text model: the controls offer a prompt and a negative prompt instead of the class,
    // name the words it never saw, complete its words; Denoise shows where it draws a word;
    // parameters (as a dropped grid's text gives them) bring their prompt back.
    void textModelTakesPrompts() {
        DenoiseView denoise;
        QVERIFY(loadModel(denoise, trainTextModel()));
        SamplerControls& controls = *denoise.controls();
        auto* prompt = controls.findChild<QLineEdit*>("samplerPrompt");
        auto* note = controls.findChild<QLabel*>("samplerPromptNote");
        QVERIFY(prompt && note);
        QCOMPARE(denoise.model().promptWords, (QStringList{"a", "square", "bright", "dim"}));
        denoise.show();
        QVERIFY(QTest::qWaitForWindowExposed(&denoise));
        QVERIFY(prompt->isVisible() && !controls.findChild<QComboBox*>("samplerClass")->isVisible());
        QCOMPARE(prompt->placeholderText(), QString("what to draw, in the words of the model's captions"));

        prompt->setText("a bright blue square");
        QVERIFY2(note->isVisible() && note->text().contains("blue"), qPrintable(note->text()));
        prompt->setText("a bright square");
        QVERIFY(!note->isVisible());
        QCOMPARE(controls.promptTokens(), (QStringList{"a", "bright", "square"}));
        // Typing "a dr" offers nothing; "a b" completes to "bright" in place.
        prompt->setText("a b");
        prompt->setCursorPosition(3);
        QTest::keyClick(prompt, Qt::Key_Backspace);
        QTest::keyClicks(prompt, "b");
        auto* completer = controls.findChild<QCompleter*>();
        QVERIFY(completer && completer->completionCount() == 1 && completer->currentCompletion() == "bright");
        emit completer->activated(QStringLiteral("bright"));
        QCOMPARE(prompt->text(), QString("a bright"));
        prompt->setText("a bright square");

        auto* word = denoise.findChild<QComboBox*>("denoiseAttentionWord");
        QVERIFY(word);
        QTRY_COMPARE(word->count(), 4);   // no word, a, bright, square
        QVERIFY(denoiseAttendingTo(denoise, "bright", 4));
        const SamplingFrame& last = denoise.trajectory().last();
        QVERIFY(!last.attention.isNull());
        QCOMPARE(last.attention.size(), last.x0.size());
        QVERIFY(denoise.findChild<QWidget*>("denoiseAttention")->isVisible());
        ddpm::SamplingParameters p = controls.parameters();
        p.prompt = "a dim square";   // as a grid's text chunks bring it back
        controls.setParameters(p);
        QCOMPARE(prompt->text(), QString("a dim square"));
    }

    // A CLIP model: prompts instead of classes, its BPE tokens to pick a word's attention from,
    // and a note when a prompt goes beyond its context.
    void clipModelTakesPrompts() {
        const QString clip = QString::fromStdString(ddpm::test::writeTinyClipFolder(path("clip").toStdString()));
        DenoiseView denoise;
        QVERIFY(loadModel(denoise, trainTextModel(clip)));
        SamplerControls& controls = *denoise.controls();
        auto* prompt = controls.findChild<QLineEdit*>("samplerPrompt");
        auto* note = controls.findChild<QLabel*>("samplerPromptNote");
        denoise.show();
        QVERIFY(QTest::qWaitForWindowExposed(&denoise));
        QVERIFY(prompt->isVisible() && !controls.findChild<QComboBox*>("samplerClass")->isVisible());
        QCOMPARE(prompt->placeholderText(), QString("what to draw, in the words of the model's captions"));
        prompt->setText("a bright zq square");
        QCOMPARE(controls.promptTokens(), (QStringList{"a", "bright", "z", "q", "square"}));   // "zq" is two byte tokens
        QVERIFY(!note->isVisible());
        prompt->setText(QString("a red apple ").repeated(8));
        QVERIFY2(note->isVisible() && note->text().contains("first 22 tokens"), qPrintable(note->text()));
        prompt->setText("a bright square");
        auto* word = denoise.findChild<QComboBox*>("denoiseAttentionWord");
        QTRY_COMPARE(word->count(), 4);   // no word, a, bright, square
        QVERIFY(denoiseAttendingTo(denoise, "square", 3));
        QVERIFY(!denoise.trajectory().last().attention.isNull());
        // The exports show the attention as a third panel (a third row in the strip), blank at x_T.
        QSignalSpy exported(&denoise, &DenoiseView::exportFinished);
        denoise.exportAnimation(path("clip-denoise.png"));
        QVERIFY(exported.wait(kTimeoutMs));
        const ddpm::ApngFile apng = ddpm::readApng(path("clip-denoise.png").toStdString());
        const QImage& x0 = denoise.trajectory().last().x0;
        const int scale = std::max(1, 256 / x0.height()), gap = 8, caption = 22;   // AnimationExport's layout
        QCOMPARE(apng.width, 3 * x0.width() * scale + 2 * gap);
        denoise.exportStrip(path("clip-strip.png"));
        QVERIFY(exported.wait(kTimeoutMs));
        QCOMPARE(QImage(path("clip-strip.png")).height(), caption + 3 * x0.height() * scale + 2 * gap);
    }

    // The Samples tab draws a row per prompt from the same noise and exports their prompts.
    void samplesDrawARowPerPrompt() {
        SamplesView samples;
        QVERIFY(loadModel(samples, trainTextModel()));
        ddpm::SamplingParameters p = ddim(2, 3, 5);
        samples.controls()->setParameters(p);
        samples.setRowPrompts({"a bright square", "a dim square"});
        QSignalSpy drawn(&samples, &SamplesView::runFinished);
        samples.generate();
        QVERIFY(drawn.wait(kTimeoutMs));
        QCOMPARE(samples.result().images.size(), 6);
        QCOMPARE(samples.gridImage().size(), QSize(3 * 16 + 4 * 2, 2 * 16 + 3 * 2));   // 3 columns, a row per prompt
        QVERIFY(samples.result().images[0] != samples.result().images[3]);             // the prompts differ
        const QString file = path("rows.png");
        QVERIFY(samples.exportPng(file));
        const auto text = ddpm::readPngText(file.toStdString());
        QCOMPARE(QString::fromStdString(text.at("ddpm:prompts")), QString("a bright square\na dim square"));
        QVERIFY(!text.count("ddpm:prompt"));
        samples.setRowPrompts({});
        auto* rowPrompts = samples.findChild<QPlainTextEdit*>("samplesRowPrompts");
        QCOMPARE(rowPrompts->placeholderText(), QString("one prompt per line"));
        QVERIFY(samples.restoreFromPng(file));   // as dropping the PNG on the window does
        QCOMPARE(rowPrompts->toPlainText(), QString("a bright square\na dim square"));
    }

    // A text model of a built-in set offers prompts in its captions' words as placeholders, when
    // its vocabulary holds them: a folder of the user's named "mnist" gets the plain hint.
    void placeholdersFollowTheBuiltInCaptions() {
        SamplesView samples;
        QVERIFY(loadModel(samples, trainTextModel(QString(), "mnist", {"thick", "thin", "seven"})));
        auto* prompt = samples.controls()->findChild<QLineEdit*>("samplerPrompt");
        auto* rowPrompts = samples.findChild<QPlainTextEdit*>("samplesRowPrompts");
        QCOMPARE(prompt->placeholderText(), QString("what to draw, e.g. a thick seven"));
        QCOMPARE(rowPrompts->placeholderText(), QString("a thick seven\na thin seven"));
        QVERIFY(loadModel(samples, trainTextModel(QString(), "mnist")));
        QCOMPARE(prompt->placeholderText(), QString("what to draw, in the words of the model's captions"));
        QCOMPARE(rowPrompts->placeholderText(), QString("one prompt per line"));
    }

    void screenshots() {
        if (qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR")) QSKIP("DDPM_SCREENSHOT_DIR is not set");
        MainWindow window;
        window.resize(1360, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openDefaultDataset();
        window.openCheckpoint(shippedModel());
        QTRY_VERIFY_WITH_TIMEOUT(window.datasetView()->chosenImage() == 0, kTimeoutMs);
        window.datasetView()->chooseImage(5);
        window.tabs()->setCurrentWidget(window.timelineView());
        window.timelineView()->setT(250);
        QTRY_COMPARE_WITH_TIMEOUT(window.timelineView()->shown().t, 250, kTimeoutMs);
        saveScreenshot(window, "timeline.png");

        DenoiseView& denoise = *window.denoiseView();
        QTRY_VERIFY_WITH_TIMEOUT(denoise.hasModel(), kTimeoutMs);
        window.tabs()->setCurrentWidget(&denoise);
        denoise.controls()->setParameters(ddim(50, 16, 2));
        QSignalSpy done(&denoise, &DenoiseView::runFinished);
        denoise.generate();
        QVERIFY(done.wait(kTimeoutMs));
        denoise.player()->setFrame(30);
        saveScreenshot(window, "denoise.png");

        screenshotSamples(window, "samples.png");

        window.openDataset("toy:moons");
        window.openCheckpoint(toyCheckpoint_);
        QTRY_VERIFY_WITH_TIMEOUT(denoise.model().space.isPoints(), kTimeoutMs);
        window.tabs()->setCurrentWidget(&denoise);
        denoise.controls()->setParameters(ddim(40, 64, 1));
        denoise.generate();
        QVERIFY(done.wait(kTimeoutMs));
        denoise.player()->setFrame(25);
        saveScreenshot(window, "denoise-toy.png");
        window.tabs()->setCurrentWidget(window.timelineView());
        window.timelineView()->setT(60);
        QTRY_COMPARE_WITH_TIMEOUT(window.timelineView()->shown().xtPoints.size(), 10000, kTimeoutMs);
        saveScreenshot(window, "timeline-toy.png");
    }

    // A latent model of the emoji (DDPM_SCREENSHOT_LATENT_MODEL, e.g. from
    // ddpm train --data emoji --vae VAE.ckpt): its Timeline and its samples.
    // The digits' text model: DDPM_SCREENSHOT_TEXT_MODEL; the emoji's: DDPM_SCREENSHOT_EMOJI_TEXT_MODEL.
    void textScreenshots() {
        takeTextScreenshots("DDPM_SCREENSHOT_TEXT_MODEL", "mnist", {"a thick seven slanted right", "thick", "denoise-text.png"},
                            {"a small thin two", "samples-text.png"});
    }

    void emojiTextScreenshots() {
        takeTextScreenshots("DDPM_SCREENSHOT_EMOJI_TEXT_MODEL", "emoji", {"man juggling", "juggling", "denoise-emoji-text.png"},
                            {"purple book", "samples-emoji-text.png",
                             {"red heart", "flag: Japan", "man juggling", "hushed face", "purple book", "green cat face",
                              "red car", "blue apple"}});
    }

    void latentScreenshots() {
        const QString model = qEnvironmentVariable("DDPM_SCREENSHOT_LATENT_MODEL");
        if (qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR") || model.isEmpty())
            QSKIP("DDPM_SCREENSHOT_DIR and DDPM_SCREENSHOT_LATENT_MODEL are not both set");
        MainWindow window;
        window.resize(1360, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openDataset("emoji");
        QTRY_VERIFY_WITH_TIMEOUT(window.datasetView()->dataset() && window.datasetView()->dataset()->name == "emoji",
                                 120000);
        window.datasetView()->chooseImage(3);
        window.openCheckpoint(model);
        window.tabs()->setCurrentWidget(window.timelineView());
        window.timelineView()->setT(300);
        QTRY_VERIFY_WITH_TIMEOUT(!window.timelineView()->shown().latentChannels.isNull() &&
                                     window.timelineView()->shown().t == 300,
                                 kTimeoutMs);
        window.statusBar()->clearMessage();   // it names the model's file
        saveScreenshot(window, "timeline-latent.png");

        screenshotSamples(window, "samples-latent.png");

        // The Train tab training an autoencoder first: its curve and its reconstructions.
        TrainView& train = *window.trainView();
        window.tabs()->setCurrentWidget(&train);
        TrainSettings settings = TrainSettings::defaults();
        settings.latent = true;
        settings.autoencoderMinutes = 2;
        settings.previewEvery = 20;
        train.settingsPanel()->setSettings(settings);
        train.findChild<QPushButton*>("startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(train.shownStep() >= 60 && train.preview()->hasSamples(), 300000);
        saveScreenshot(window, "train-latent.png");
        train.findChild<QPushButton*>("stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(train.worker()->state(), TrainingWorker::State::Stopped, kTimeoutMs);
    }
};

QTEST_MAIN(TestGenerationViews)
#include "test_generation_views.moc"
