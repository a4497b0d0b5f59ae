// The Train tab, driven through its buttons: a 2-D toy (MLP) trained to the
// end with its scatter preview and autosave; a tiny U-Net on the built-in
// digits paused, stepped one batch, stopped, saved, opened and resumed at the
// right step; closing the window mid-run (Cancel keeps it, Discard stops it);
// a shutdown nobody is asked about saves the run and the next launch resumes it;
// latent diffusion, its autoencoder trained first or chosen;
// the settings' core defaults and their persistence; the loss plot at 100,000
// points. Runs headless (QT_QPA_PLATFORM=offscreen).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <filesystem>

#include "MainWindow.h"
#include "StudioSettings.h"
#include "common/TerminationSignals.h"
#include "data/DatasetLoader.h"
#include "plot/LiveCurvePlot.h"
#include "training/Checkpoint.h"
#include "training/RunConfig.h"
#include "training/RunConfigFromSettings.h"
#include "training/RunFolder.h"
#include "training/RunFolderWatcher.h"
#include "training/SamplePreview.h"
#include "training/TrainSettingsPanel.h"
#include "training/TrainView.h"
#include "support/FullDisk.h"
#include "support/TestDatasets.h"
#include "support/TinyClipFolder.h"

using namespace ddpm::ui;
using State = TrainingWorker::State;

namespace {

constexpr int kRunTimeoutMs = 120000;   // generous: the box is shared with builds

DatasetPtr load(const char* name) { return std::make_shared<const ddpm::Dataset>(ddpm::loadDataset(name)); }

QPushButton* button(const QWidget& view, const char* name) {
    auto* b = view.findChild<QPushButton*>(name);
    if (!b) qFatal("no button %s", name);
    return b;
}

// The raw loss values the plot holds.
QVector<double> plottedLosses(const LiveCurvePlot& plot) {
    QVector<double> values;
    const auto data = plot.graph(0)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) values.append(it->value);
    return values;
}

double mean(const QVector<double>& v, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; ++i) sum += v[i];
    return sum / (to - from);
}

// With DDPM_SCREENSHOT_DIR set, a picture of the window mid-run (docs/screenshots).
void saveScreenshot(QWidget& window, const char* name) {
    QTest::qWait(300);   // queued replots
    QVERIFY(window.grab().save(QDir(qEnvironmentVariable("DDPM_SCREENSHOT_DIR")).filePath(name)));
}

// Answers the next modal message box with `which`, from the event loop it runs.
void answerNextMessageBox(QMessageBox::StandardButton which) {
    QTimer::singleShot(50, [which] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->button(which)) return answerNextMessageBox(which);   // not open yet (or another box)
        box->button(which)->click();
    });
}

}  // namespace

class TestTrainView : public QObject {
    Q_OBJECT

    QTemporaryDir settingsDir_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);   // runs go to a test location, not the user's
        qputenv("DDPM_STUDIO_CACHE_DIR", QFile::encodeName(settingsDir_.filePath("cache")));   // encoded latents
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
    }

    void init() { QSettings(kOrganizationName, kApplicationName).clear(); }

    void settingsStartAtCoreDefaultsAndPersist() {
        const ddpm::RunConfig core;
        {
            TrainView view;
            const TrainSettings s = view.settingsPanel()->settings();
            QCOMPARE(s.batchSize, core.train.batchSize);
            QCOMPARE(s.learningRate, core.train.learningRate);
            QCOMPARE(s.emaDecay, core.train.emaDecay);
            QCOMPARE(s.classDropProb, core.train.classDropProb);
            // The tiny preset's recipe, as ddpm train uses it.
            QCOMPARE(s.preset, QString("tiny"));
            QCOMPARE(s.objective.toStdString(), toString(ddpm::presetRecipe("tiny").objective));
            QCOMPARE(s.schedule.toStdString(), toString(ddpm::presetRecipe("tiny").schedule));
            QCOMPARE(s.classConditional, ddpm::presetRecipe("tiny").classConditional);
            QCOMPARE(s.precision.toStdString(), toString(core.train.precision));
            QVERIFY(!button(view, "startButton")->isEnabled());   // no dataset yet
            // Unlabelled data greys out the class choice but keeps it for the next labelled set.
            view.setDataset(load("toy:moons"));
            QVERIFY(!view.findChild<QCheckBox*>("conditionalCheck")->isEnabled());
            QVERIFY(view.settingsPanel()->settings().classConditional);
            view.findChild<QSpinBox*>("batchSpin")->setValue(7);
        }
        TrainView reopened;
        QCOMPARE(reopened.settingsPanel()->settings().batchSize, 7);
    }

    // As with ddpm train: tiny is class-conditional by default where the data has labels.
    void defaultRunIsClassConditionalOnLabelledData() {
        const TrainSettings s = TrainSettings::defaults();
        const ddpm::RunConfig digits = ddpm::ui::runConfigFromSettings(s, *load("mnist"));
        QCOMPARE(digits.model.numClasses, 10);
        QCOMPARE(int(digits.data.classNames.size()), 10);
        QCOMPARE(ddpm::ui::runConfigFromSettings(s, *load("toy:moons")).model.numClasses, 0);   // no labels

        TrainSettings unconditional = s;
        unconditional.classConditional = false;
        QCOMPARE(ddpm::ui::runConfigFromSettings(unconditional, *load("mnist")).model.numClasses, 0);
    }

    // Prompts through a CLIP folder: the Prompts list keeps the folder, the run reads its width and
    // context from config.json, and the choice persists.
    void clipFolderIsAPromptsChoice() {
        QTemporaryDir dir;
        const QString clip = QString::fromStdString(ddpm::test::writeTinyClipFolder((dir.path() + "/my-clip").toStdString()));
        {
            TrainView view;
            view.setDataset(std::make_shared<const ddpm::Dataset>(ddpm::test::captionedSquares()));
            QVERIFY(view.settingsPanel()->chooseClipFolder(clip));
            auto* prompts = view.findChild<QComboBox*>("textEncoderCombo");
            QCOMPARE(prompts->currentText(), QString("CLIP: my-clip"));
            answerNextMessageBox(QMessageBox::Ok);   // "Not a CLIP folder": the choice stays
            QVERIFY(!view.settingsPanel()->chooseClipFolder(dir.path()));
            QCOMPARE(prompts->currentText(), QString("CLIP: my-clip"));
            view.setDataset(std::make_shared<const ddpm::Dataset>(ddpm::test::captionedSquares()));   // a reload
            QCOMPARE(prompts->currentText(), QString("CLIP: my-clip"));
            const TrainSettings s = view.settingsPanel()->settings();
            QCOMPARE(s.textEncoder, "clip:" + clip);
            const ddpm::RunConfig run = ddpm::ui::runConfigFromSettings(s, ddpm::test::captionedSquares());
            QCOMPARE(run.model.text.clipFolder(), clip.toStdString());
            QCOMPARE(run.model.text.width, 32);
            QCOMPARE(run.model.text.context, 24);
            QVERIFY(view.findChild<QDoubleSpinBox*>("classDropSpin")->isEnabled());
            if (!qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR")) {
                view.resize(1360, 860);
                view.show();
                QVERIFY(QTest::qWaitForWindowExposed(&view));
                saveScreenshot(view, "train-clip.png");
            }
        }
        TrainView reopened;
        QCOMPARE(reopened.settingsPanel()->settings().textEncoder, "clip:" + clip);
    }

    void toyTrainsToTheEndWithScatterPreviewAndAutosave() {
        TrainView view;
        view.setDataset(load("toy:gmm8"));
        TrainSettings s = TrainSettings::defaults();
        s.steps = 200;
        s.previewEvery = 100;   // a 1,000-point preview costs more than the steps between
        view.settingsPanel()->setSettings(s);
        QCOMPARE(view.settingsPanel()->settings().preset, QString("mlp"));   // the only preset for points
        QSignalSpy saved(&view, &TrainView::checkpointSaved);

        button(view, "startButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Finished, kRunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(view.lossPlot()->pointCount(), 200, 5000);
        QCOMPARE(view.shownStep(), qint64(200));
        QVERIFY(view.worker()->description().startsWith("MLP"));   // 2-D data always uses the MLP

        const QVector<double> losses = plottedLosses(*view.lossPlot());
        QCOMPARE(losses.size(), 200);
        for (double v : losses) QVERIFY(std::isfinite(v) && v >= 0);
        QVERIFY2(mean(losses, 150, 200) < mean(losses, 0, 50), "the loss should fall over the run");

        QTRY_COMPARE_WITH_TIMEOUT(view.preview()->sampledPointCount(), 1000, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 5000);   // the run's end saves into the run folder
        const QString autosaved = saved.at(0).at(0).toString();
        QCOMPARE(QFileInfo(autosaved).absolutePath(), QFileInfo(view.runFolder()).absoluteFilePath());
        QCOMPARE(qint64(ddpm::loadCheckpoint(autosaved.toStdString(), torch::kCPU).progress.step), qint64(200));
        QVERIFY(!button(view, "resumeButton")->isEnabled());   // the run is complete
        QVERIFY(button(view, "startButton")->isEnabled());
    }

    void latentRunTrainsItsAutoencoderFirstOrTakesAChosenOne() {
        const DatasetPtr squares = std::make_shared<const ddpm::Dataset>(ddpm::test::squaresDataset(60, 28));
        TrainView view;
        view.setDataset(squares);
        TrainSettings s = TrainSettings::defaults();
        s.steps = 3;
        s.previewEvery = 3;
        s.latent = true;
        s.autoencoderMinutes = 0.1;   // none chosen: six seconds of autoencoder first
        view.settingsPanel()->setSettings(s);
        QSignalSpy phases(view.worker(), &TrainingWorker::phaseEnded);
        QSignalSpy reconstructions(view.worker(), &TrainingWorker::previewReconstructions);
        button(view, "startButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Finished, kRunTimeoutMs);
        QCOMPARE(phases.count(), 1);
        QVERIFY(reconstructions.count() >= 1);   // the autoencoder's own preview
        const QString autoencoder = view.runFolder() + "/autoencoder/model.ckpt";
        QVERIFY(QFile::exists(autoencoder));
        QVERIFY2(view.worker()->description().contains("on 8×8×4 latents of 28×28×3 pixels"),
                 qPrintable(view.worker()->description()));
        QTRY_VERIFY_WITH_TIMEOUT(view.preview()->hasSamples(), 5000);   // decoded squares
        auto checkpoint = ddpm::loadCheckpoint((view.runFolder() + "/model.ckpt").toStdString(), torch::kCPU);
        QVERIFY(checkpoint.autoencoder);
        QCOMPARE(checkpoint.progress.step, int64_t(3));
        QTRY_COMPARE_WITH_TIMEOUT(view.lossPlot()->pointCount(), 3, 5000);   // the diffusion model's curve, afresh

        // A chosen autoencoder: no first phase.
        QTemporaryDir folder;
        const QString chosen = folder.filePath("vae.ckpt");
        QVERIFY(QFile::copy(autoencoder, chosen));
        s.autoencoder = chosen;
        view.settingsPanel()->setSettings(s);
        QCOMPARE(view.settingsPanel()->settings().autoencoder, chosen);
        button(view, "startButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Finished, kRunTimeoutMs);
        QCOMPARE(phases.count(), 1);
        checkpoint = ddpm::loadCheckpoint((view.runFolder() + "/model.ckpt").toStdString(), torch::kCPU);
        QVERIFY(checkpoint.autoencoder);
        QVERIFY(!QFile::exists(view.runFolder() + "/autoencoder"));
    }

    // A latent run's autoencoder saved by hand is a file, not a model for the other tabs.
    void savingDuringTheAutoencoderPhaseOffersNoModel() {
        TrainView view;
        view.setDataset(std::make_shared<const ddpm::Dataset>(ddpm::test::squaresDataset(60, 28)));
        TrainSettings s = TrainSettings::defaults();
        s.latent = true;
        s.autoencoderMinutes = 10;
        view.settingsPanel()->setSettings(s);
        button(view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view.worker()->completedSteps() >= 2, kRunTimeoutMs);
        button(view, "stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Stopped, kRunTimeoutMs);

        QSignalSpy written(view.worker(), &TrainingWorker::checkpointWritten);
        QSignalSpy offered(&view, &TrainView::checkpointSaved);
        QTemporaryDir folder;
        const QString path = folder.filePath("autoencoder.ckpt");
        view.saveCheckpoint(path);
        QTRY_COMPARE_WITH_TIMEOUT(written.count(), 1, kRunTimeoutMs);
        QCOMPARE(written.at(0).at(0).toString(), path);
        QCOMPARE(written.at(0).at(1).toBool(), false);
        QTRY_VERIFY(view.findChild<QLabel*>("trainStatus")->text().startsWith("Saved"));   // the view has heard
        QCOMPARE(offered.count(), 0);
        QVERIFY(QFile::exists(path));
    }

    // File > Watch Run Folder: the rows another process appends (a torn last row waits for its
    // newline; thousands at once keep up), its sample grids and each new checkpoint.
    void watchingARunFolderThatAnotherProcessWrites() {
        QTemporaryDir folders;
        const QString folder = folders.filePath("watched");
        QVERIFY(QDir().mkpath(folder));
        QFile metrics(folder + "/metrics.csv");
        QVERIFY(metrics.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        const auto row = [](int step) { return QString("%1,%2,0.5,0.001,1.5,300\n").arg(step).arg(step * 0.01).toUtf8(); };
        metrics.write(QByteArray(ddpm::kMetricsHeader) + "\n" + row(1) + row(2) + row(3) + "4,0.04,0.5");
        TrainView view;
        view.watchRunFolder(folder);
        QTRY_COMPARE_WITH_TIMEOUT(view.shownStep(), qint64(3), 10000);
        QTest::qWait(3 * ddpm::ui::RunFolderWatcher::kPollIntervalMs);
        QCOMPARE(view.shownStep(), qint64(3));   // the half-written row is not read yet
        metrics.write(",0.001,1.5,300\n");
        QTRY_COMPARE_WITH_TIMEOUT(view.shownStep(), qint64(4), 10000);
        QByteArray many;
        for (int step = 5; step <= 20004; ++step) many += row(step);
        metrics.write(many);
        QTRY_COMPARE_WITH_TIMEOUT(view.shownStep(), qint64(20004), 20000);
        QCOMPARE(view.lossPlot()->pointCount(), 20004);
        metrics.close();

        // A run that ddpm train writes meanwhile: its curve, grids and checkpoints arrive.
        const QString live = folders.filePath("live");
        QVERIFY(QDir().mkpath(live));
        QSignalSpy checkpoints(&view, &TrainView::checkpointSaved);
        view.watchRunFolder(live);
        QCOMPARE(view.lossPlot()->pointCount(), 0);
        QProcess cli;
        cli.start(QStringLiteral(DDPM_CLI_PATH), {"train", "--data", "mnist", "--preset", "tiny", "--base-channels", "8",
                                                  "--batch", "8", "--steps", "40", "--save-every", "20", "--out", live,
                                                  "--threads", "1"});
        QVERIFY(cli.waitForFinished(kRunTimeoutMs));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QTRY_COMPARE_WITH_TIMEOUT(view.shownStep(), qint64(40), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(view.preview()->hasSamples(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!checkpoints.isEmpty() && checkpoints.last().at(0).toString() == live + "/model.ckpt", 10000);

        // Training here ends the watch.
        view.setDataset(load("toy:moons"));
        button(view, "startButton")->click();
        QVERIFY(!view.watcher()->isWatching());
        view.worker()->stop();
    }

    void trainTabAndDdpmTrainLeaveTheSameRunFolder() {
        // The same run, 40 steps on toy:moons saving every 20, from the CLI and from the tab.
        QTemporaryDir folders;
        const QString cliFolder = folders.filePath("cli");
        QProcess cli;
        cli.start(QStringLiteral(DDPM_CLI_PATH), {"train", "--data", "toy:moons", "--steps", "40", "--save-every", "20",
                                                  "--out", cliFolder, "--threads", "1"});
        QVERIFY(cli.waitForFinished(kRunTimeoutMs));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());

        TrainView view;
        view.setDataset(load("toy:moons"));
        TrainSettings s = TrainSettings::defaults();
        s.steps = 40;
        s.saveEverySteps = 20;
        s.autosaveMinutes = 0;
        view.settingsPanel()->setSettings(s);
        button(view, "startButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Finished, kRunTimeoutMs);
        const QString tabFolder = view.runFolder();

        const auto files = [](const QString& root) {
            QStringList names;
            for (const auto& entry : std::filesystem::recursive_directory_iterator(root.toStdString()))
                if (entry.is_regular_file())
                    names << QString::fromStdString(std::filesystem::relative(entry.path(), root.toStdString()).string());
            names.sort();
            return names;
        };
        const QStringList expected = {"checkpoints/step-000020.ckpt", "checkpoints/step-000040.ckpt", "metrics.csv",
                                      "model.ckpt", "samples-000020.csv", "samples.csv"};
        QCOMPARE(files(cliFolder), expected);
        QCOMPARE(files(tabFolder), expected);
        const auto header = [](const QString& csv) {
            QFile f(csv);
            return f.open(QIODevice::ReadOnly) ? f.readLine().trimmed() : QByteArray();
        };
        QCOMPARE(header(tabFolder + "/metrics.csv"), header(cliFolder + "/metrics.csv"));
        QCOMPARE(header(tabFolder + "/metrics.csv"), QByteArray(ddpm::kMetricsHeader));
        QCOMPARE(header(tabFolder + "/samples.csv"), header(cliFolder + "/samples.csv"));
    }

    void digitsPauseStepStopSaveOpenResume() {
        QTemporaryDir out;
        const QString checkpoint = out.filePath("digits.ckpt");
        const DatasetPtr digits = load("mnist");
        TrainView view;
        view.setDataset(digits);
        TrainSettings s = TrainSettings::defaults();
        s.preset = "tiny";
        s.batchSize = 4;
        s.steps = 100000;   // never reached: this run is stopped by hand
        s.previewEvery = 3;
        s.autosaveMinutes = 0;
        view.settingsPanel()->setSettings(s);

        button(view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(!view.preview()->image().isNull(), kRunTimeoutMs);   // the first EMA grid
        QVERIFY(view.preview()->image().width() > 4 * 28);                           // 4 x 4 digits
        view.findChild<QSpinBox*>("previewEverySpin")->setValue(100000);              // no more previews
        QTRY_VERIFY_WITH_TIMEOUT(view.lossPlot()->pointCount() >= 5, kRunTimeoutMs);
        for (double v : plottedLosses(*view.lossPlot())) QVERIFY(std::isfinite(v));

        // Pause: the step in flight ends, then nothing moves.
        button(view, "pauseButton")->click();
        QCOMPARE(view.worker()->state(), State::Paused);
        QTRY_VERIFY_WITH_TIMEOUT(view.worker()->isHeld(), kRunTimeoutMs);
        const qint64 paused = view.worker()->completedSteps();
        QTest::qWait(500);
        QCOMPARE(view.worker()->completedSteps(), paused);

        // Step: exactly one batch.
        button(view, "stepButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->completedSteps(), paused + 1, kRunTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(view.worker()->isHeld(), kRunTimeoutMs);
        QTest::qWait(500);
        QCOMPARE(view.worker()->completedSteps(), paused + 1);
        QTRY_COMPARE_WITH_TIMEOUT(view.shownStep(), paused + 1, 5000);

        // Stop: a consistent, saveable, resumable run.
        button(view, "stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Stopped, kRunTimeoutMs);
        QCOMPARE(view.worker()->completedSteps(), paused + 1);
        QVERIFY(button(view, "resumeButton")->isEnabled());
        QVERIFY(button(view, "saveCheckpointButton")->isEnabled());

        QSignalSpy saved(&view, &TrainView::checkpointSaved);
        view.saveCheckpoint(checkpoint);
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kRunTimeoutMs);
        QCOMPARE(saved.at(0).at(0).toString(), checkpoint);
        const ddpm::CheckpointContents contents = ddpm::loadCheckpoint(checkpoint.toStdString(), torch::kCPU);
        QCOMPARE(qint64(contents.progress.step), paused + 1);
        QCOMPARE(contents.config.train.batchSize, 4);
        QCOMPARE(contents.config.data.name, std::string("mnist"));

        // Open: paused at the saved step; Resume continues from there.
        view.openCheckpoint(checkpoint);
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Paused, kRunTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 2, 5000);   // an opened checkpoint is announced too
        QCOMPARE(view.worker()->completedSteps(), paused + 1);
        QCOMPARE(view.lossPlot()->pointCount(), 0);
        button(view, "resumeButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view.lossPlot()->pointCount() >= 2, kRunTimeoutMs);
        QCOMPARE(view.lossPlot()->graph(0)->data()->constBegin()->key, double(paused + 2));
        button(view, "stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Stopped, kRunTimeoutMs);

        // A checkpoint of other data: refused with the file named, the current run kept, and with it
        // the folder its unsaved steps go to at close.
        const QString keptCheckpoint = view.worker()->runCheckpoint();
        QVERIFY(view.worker()->hasUnsavedSteps());
        view.setDataset(load("toy:gmm8"));
        QSignalSpy failed(view.worker(), &TrainingWorker::failed);
        answerNextMessageBox(QMessageBox::Discard);   // the stopped run's unsaved steps
        view.openCheckpoint(checkpoint);
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Failed, kRunTimeoutMs);
        QVERIFY(failed.count() >= 1);
        QVERIFY2(failed.last().at(0).toString().contains(checkpoint), qPrintable(failed.last().at(0).toString()));
        QVERIFY(view.worker()->hasRun());
        QCOMPARE(view.worker()->runCheckpoint(), keptCheckpoint);
        QVERIFY(!view.runFolder().isEmpty() && !keptCheckpoint.startsWith(view.runFolder()));   // the failed Open's folder
    }

    // A stopped run's steps since its last save are asked about at close too; once saved, not again.
    void closingAfterStopAsksAboutUnsavedSteps() {
        MainWindow window;
        TrainView* view = window.trainView();
        view->setDataset(load("toy:moons"));
        TrainSettings s = TrainSettings::defaults();
        s.steps = 100000;
        s.previewEvery = 100000;
        view->settingsPanel()->setSettings(s);
        window.show();
        button(*view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->worker()->completedSteps() >= 5, kRunTimeoutMs);
        button(*view, "stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view->worker()->state(), State::Stopped, kRunTimeoutMs);
        QVERIFY(view->worker()->hasUnsavedSteps());

        answerNextMessageBox(QMessageBox::Save);
        QVERIFY(window.close());
        QCOMPARE(ddpm::readCheckpointProgress(QDir(view->runFolder()).filePath("model.ckpt").toStdString()).step,
                 int64_t(view->worker()->completedSteps()));
        QVERIFY(!view->worker()->hasUnsavedSteps());

        // Nothing left to lose: closing asks nothing (a box would be cancelled, and close() fail).
        QTimer cancelAnyBox;
        cancelAnyBox.setSingleShot(true);
        connect(&cancelAnyBox, &QTimer::timeout, [] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Cancel)->click();
        });
        cancelAnyBox.start(500);
        window.show();
        QVERIFY(window.close());
    }

    // Start (or Open) after Stop would put a new run in place of one with unsaved steps: asked too.
    void startingAnotherRunAfterStopAsksAboutUnsavedSteps() {
        TrainView view;
        view.setDataset(load("toy:moons"));
        TrainSettings s = TrainSettings::defaults();
        s.steps = 100000;
        s.previewEvery = 100000;
        view.settingsPanel()->setSettings(s);
        view.show();
        button(view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view.worker()->completedSteps() >= 5, kRunTimeoutMs);
        button(view, "stopButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Stopped, kRunTimeoutMs);
        const QString stoppedFolder = view.runFolder();
        const qint64 stoppedStep = view.worker()->completedSteps();

        answerNextMessageBox(QMessageBox::Cancel);   // the stopped run stays, unsaved
        button(view, "startButton")->click();
        QCOMPARE(view.runFolder(), stoppedFolder);
        QCOMPARE(view.worker()->state(), State::Stopped);
        QVERIFY(view.worker()->hasUnsavedSteps());

        answerNextMessageBox(QMessageBox::Save);   // saved into its folder, then the new run starts
        button(view, "startButton")->click();
        QCOMPARE(ddpm::readCheckpointProgress(QDir(stoppedFolder).filePath("model.ckpt").toStdString()).step,
                 int64_t(stoppedStep));
        QVERIFY(view.runFolder() != stoppedFolder);
        QTRY_COMPARE_WITH_TIMEOUT(view.worker()->state(), State::Running, kRunTimeoutMs);
        view.worker()->stopAndWait(kRunTimeoutMs);
    }

    // Closing with Save on a full disk: the error in a dialog, the window and the run kept, no
    // temporary left; with room again, Save writes the run and the window closes.
    void closingWithSaveOnAFullDiskKeepsTheWindowAndTheRun() {
        MainWindow window;
        TrainView* view = window.trainView();
        view->setDataset(load("toy:moons"));
        TrainSettings s = TrainSettings::defaults();
        s.steps = 100000;
        s.previewEvery = 100000;
        view->settingsPanel()->setSettings(s);
        window.show();
        button(*view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->worker()->completedSteps() >= 5, kRunTimeoutMs);
        {
            ddpm::test::FullDisk full(4 * 1024);
            answerNextMessageBox(QMessageBox::Save);   // "Save the run before closing?"
            answerNextMessageBox(QMessageBox::Ok);     // "Could not save: … disk full …"
            QVERIFY(!window.close());
        }
        QVERIFY(window.isVisible());
        QCOMPARE(view->worker()->state(), State::Stopped);
        QVERIFY(view->worker()->hasUnsavedSteps());
        for (const QString& name : QDir(view->runFolder()).entryList(QDir::Files | QDir::Hidden))
            QVERIFY2(!name.contains(".tmp-"), qPrintable(name));

        answerNextMessageBox(QMessageBox::Save);
        QVERIFY(window.close());
        QCOMPARE(ddpm::readCheckpointProgress(QDir(view->runFolder()).filePath("model.ckpt").toStdString()).step,
                 int64_t(view->worker()->completedSteps()));
    }

    void closingDuringTrainingAsksAndStops() {
        MainWindow window;
        QCOMPARE(window.tabs()->tabText(1), QString("Train"));
        TrainView* view = window.trainView();
        view->setDataset(load("mnist"));
        TrainSettings s = TrainSettings::defaults();
        s.batchSize = 4;
        s.steps = 100000;
        s.previewEvery = 100000;
        view->settingsPanel()->setSettings(s);
        window.show();
        button(*view, "startButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(view->worker()->completedSteps() >= 1, kRunTimeoutMs);

        answerNextMessageBox(QMessageBox::Cancel);
        QVERIFY(!window.close());   // Cancel: the window stays and training goes on
        QCOMPARE(view->worker()->state(), State::Running);

        answerNextMessageBox(QMessageBox::Discard);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(window.close());
        const qint64 closedAfter = clock.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(view->worker()->state(), State::Stopped, 5000);
        qInfo() << "close with Discard returned after" << closedAfter << "ms";   // a figure, not an assertion
    }

    // SIGTERM, a lost display: the run is saved without asking, stays noted as interrupted,
    // and the next launch offers it; Yes loads its dataset and opens it paused in its folder.
    void shutdownSavesTheRunAndTheNextLaunchOffersToResumeIt() {
        QString folder;
        qint64 savedStep = 0;
        {
            MainWindow window;
            TrainView* view = window.trainView();
            window.openDataset("toy:moons");
            QTRY_VERIFY_WITH_TIMEOUT(view->hasDataset(), kRunTimeoutMs);
            TrainSettings s = TrainSettings::defaults();
            s.steps = 100000;
            s.previewEvery = 100000;
            view->settingsPanel()->setSettings(s);
            button(*view, "startButton")->click();
            QTRY_VERIFY_WITH_TIMEOUT(view->worker()->completedSteps() >= 5, kRunTimeoutMs);
            QCOMPARE(window.saveForShutdown(), QString());
            QTRY_COMPARE(view->worker()->state(), State::Stopped);
            folder = view->runFolder();
            savedStep = view->worker()->completedSteps();
            QCOMPARE(ddpm::readCheckpointProgress(QDir(folder).filePath("model.ckpt").toStdString()).step, savedStep);
        }
        const auto noted = interruptedRun();
        QVERIFY(noted);
        QCOMPARE(noted->runFolder, folder);
        QCOMPARE(noted->datasetSource, QString("toy:moons"));

        MainWindow next;
        next.openDefaultDataset();   // as a launch does, before the offer
        answerNextMessageBox(QMessageBox::Yes);
        next.offerToResumeInterruptedRun();
        QTRY_COMPARE_WITH_TIMEOUT(next.trainView()->worker()->state(), State::Paused, kRunTimeoutMs);
        QCOMPARE(next.trainView()->runFolder(), folder);
        QCOMPARE(next.trainView()->worker()->completedSteps(), savedStep);
        QCOMPARE(next.tabs()->currentWidget(), static_cast<QWidget*>(next.trainView()));
        // The curve so far comes back from the folder's metrics.csv.
        QTRY_COMPARE(plottedLosses(*next.trainView()->lossPlot()).size(), int(savedStep));

        // Closing as the user chooses ends the note: nothing is offered after that.
        answerNextMessageBox(QMessageBox::Discard);
        QVERIFY(next.close());
        QVERIFY(!interruptedRun());
    }

    void terminationSignalsArriveOnTheGuiThread() {
        TerminationSignals termination;
        QSignalSpy spy(&termination, &TerminationSignals::terminationRequested);
        ::raise(SIGTERM);   // handled: the test goes on
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), int(SIGTERM));
    }

    void screenshots() {
        if (qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR")) QSKIP("DDPM_SCREENSHOT_DIR is not set");
        MainWindow window;
        window.resize(1360, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TrainView* view = window.trainView();
        window.tabs()->setCurrentWidget(view);
        const struct {
            const char* dataset;
            qint64 steps, shotAt;
            int previewEvery;
            const char* file;
        } runs[] = {{"mnist", 4000, 200, 50, "train.png"}, {"toy:gmm8", 3000, 1500, 250, "train-toy.png"}};
        for (const auto& run : runs) {
            view->setDataset(load(run.dataset));
            TrainSettings s = TrainSettings::defaults();
            s.steps = run.steps;
            s.previewEvery = run.previewEvery;
            view->settingsPanel()->setSettings(s);
            if (view->worker()->hasUnsavedSteps()) answerNextMessageBox(QMessageBox::Discard);   // the run before
            button(*view, "startButton")->click();
            QTRY_VERIFY_WITH_TIMEOUT(view->shownStep() >= run.shotAt && view->preview()->hasSamples(), 600000);
            LiveCurvePlot* loss = view->lossPlot();   // the crosshair readout, as under the mouse
            QTest::mouseMove(loss, QPoint(loss->width() * 2 / 3, loss->height() / 2));
            saveScreenshot(window, run.file);
            button(*view, "stopButton")->click();
            QTRY_COMPARE_WITH_TIMEOUT(view->worker()->state(), State::Stopped, kRunTimeoutMs);
        }
    }

    // A run another process trained (DDPM_SCREENSHOT_WATCH_RUN: its folder), watched.
    void watchScreenshot() {
        const QString watched = qEnvironmentVariable("DDPM_SCREENSHOT_WATCH_RUN");
        if (qEnvironmentVariableIsEmpty("DDPM_SCREENSHOT_DIR") || watched.isEmpty())
            QSKIP("DDPM_SCREENSHOT_DIR and DDPM_SCREENSHOT_WATCH_RUN are not both set");
        MainWindow window;
        window.resize(1360, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.watchRunFolder(watched);
        QTRY_VERIFY_WITH_TIMEOUT(window.trainView()->shownStep() > 0 && window.trainView()->preview()->hasSamples(), 60000);
        saveScreenshot(window, "train-watch.png");
    }

    void lossPlotHolds100kPoints() {
        TrainView view;
        for (int i = 1; i <= 100000; ++i)
            view.stepRecords()->push({i, i * 0.01, 1.0 / std::sqrt(double(i)) + 0.05 * (i % 7), 1e-3, 0.5, 100, i / 1e5});
        QTRY_COMPARE_WITH_TIMEOUT(view.lossPlot()->pointCount(), 100000, 10000);
        LiveCurvePlot& plot = *view.lossPlot();
        QCOMPARE(plot.plottedPointCount(), 100000);
        QCOMPARE(view.shownStep(), qint64(100000));
        QVERIFY(plot.isFollowing());
        QVERIFY(plot.xAxis->range().upper >= 100000);   // the view follows the newest step

        plot.setLogY(true);
        plot.setSmoothing(0.99);
        plot.setXAxis(LiveCurvePlot::XAxis::WallTime);
        plot.refresh();
        QCOMPARE(plot.plottedPointCount(), 100000);
        QVERIFY(plot.xAxis->range().upper >= 1000);   // seconds now
        QVERIFY(plot.readoutAt(500.0).startsWith("step "));

        // Smoothing 0 is the raw curve; a drag hands the view to the user until a double-click.
        plot.setSmoothing(0);
        QCOMPARE(plot.graph(1)->data()->at(1234)->value, plot.graph(0)->data()->at(1234)->value);
        plot.xAxis->setRange(10, 20);
        QVERIFY(!plot.isFollowing());
        plot.resetView();
        QVERIFY(plot.isFollowing());
    }
};

QTEST_MAIN(TestTrainView)
#include "test_train_view.moc"
