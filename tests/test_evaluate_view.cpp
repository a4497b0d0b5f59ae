// The Evaluate tab in the main window: two checkpoints of the shipped MNIST
// model saved at steps 200 and 100 are scored in step order (tiny sample
// count, 2 DDIM steps) into the plot, the table and a CSV file; a run folder's
// model.ckpt is not queued twice; Cancel leaves table, plot and buttons
// agreeing; a dataset without a built-in extractor gets core's
// message and a pointer to the feature-file option; the Train tab leaves a
// step-numbered snapshot at its autosave, which the Evaluate tab lists; a text model is asked
// by the held-out captions and its class match shown. Runs headless (offscreen).
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

#include <torch/optim/adam.h>

#include "MainWindow.h"
#include "conditioning/PromptEncoding.h"
#include "dataset/DatasetView.h"
#include "evaluation/EvaluateView.h"
#include "evaluation/EvaluationWorker.h"
#include "training/Checkpoint.h"
#include "training/RunFolder.h"
#include "training/TrainSettingsPanel.h"
#include "training/TrainView.h"
#include "training/Trainer.h"
#include "util/ResourcePaths.h"

using namespace ddpm::ui;

namespace {

constexpr int kTimeoutMs = 120000;   // generous: the box is shared with builds

// runFolder/checkpoints/step-NNNNNN.ckpt, as core's RunFolder names it.
QString stepSnapshotPath(const QString& runFolder, qint64 step) {
    return QString::fromStdString(ddpm::RunFolder(runFolder.toStdString()).snapshot(step));
}

QStringList runCheckpointFiles(const QString& runFolder) {
    QStringList files;
    for (const std::string& file : ddpm::RunFolder(runFolder.toStdString()).checkpointFiles())
        files << QString::fromStdString(file);
    return files;
}

// The shipped model saved as a checkpoint at `step` (a fresh optimizer: only the EMA is scored).
// rawAsEma: its raw training weights take the EMA's place, a different model with the same config,
// so that the two checkpoints score differently.
void saveAtStep(const QString& path, int64_t step, bool rawAsEma) {
    auto c = ddpm::loadCheckpoint(ddpm::findResource("models/mnist-tiny.ckpt").string(), torch::kCPU);
    torch::optim::Adam optimizer(c.model->parameters());
    c.progress.step = step;
    ddpm::saveCheckpoint(path.toStdString(), c.config, *c.model, rawAsEma ? *c.model : *c.ema, optimizer, c.progress,
                         c.lossScale, c.random, c.autoencoder.get());
}

void loadDataset(MainWindow& window, const QString& name) {
    QSignalSpy loaded(window.datasetView(), &DatasetView::datasetChanged);
    window.datasetView()->loadDataset(name);
    QVERIFY(loaded.wait(kTimeoutMs));
}

// The spy records on the worker's thread, so the signal may be in before wait() starts.
// Then the view's queued slots for it run too.
bool arrived(QSignalSpy& spy) {
    const bool ok = !spy.isEmpty() || spy.wait(kTimeoutMs);
    QCoreApplication::processEvents();
    return ok;
}

void setTinySettings(EvaluateView& view) {
    view.findChild<QSpinBox*>("sampleCount")->setValue(16);
    view.findChild<QSpinBox*>("samplerSteps")->setValue(2);
}

QPushButton* button(const QWidget& view, const char* name) {
    auto* b = view.findChild<QPushButton*>(name);
    if (!b) qFatal("no button %s", name);
    return b;
}

// Table rows, plotted FID and KID points and scores all say the same.
void verifyConsistent(const EvaluateView& view) {
    const int n = int(view.scores().size());
    QCOMPARE(view.table()->rowCount(), n);
    QCOMPARE(view.plot()->graph(0)->dataCount(), n);
    QCOMPARE(view.plot()->graph(1)->dataCount(), n);
    QVERIFY(button(view, "evaluateButton")->isEnabled());
    QVERIFY(!button(view, "cancelEvaluationButton")->isEnabled());
}

}  // namespace

class TestEvaluateView : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString early_, late_;
    std::unique_ptr<MainWindow> window_;   // with the built-in digits loaded

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        late_ = dir_.filePath("a-late.ckpt");   // named so that the file order is not the step order
        early_ = dir_.filePath("b-early.ckpt");
        saveAtStep(late_, 200, false);
        saveAtStep(early_, 100, true);
        window_ = std::make_unique<MainWindow>();
        loadDataset(*window_, "mnist");
        setTinySettings(*window_->evaluateView());
    }

    void cleanupTestCase() { window_.reset(); }

    void scoresCheckpointsInStepOrderAndExportsThem() {
        MainWindow& window = *window_;
        EvaluateView& view = *window.evaluateView();
        view.setCheckpointFiles({late_, early_});
        QSignalSpy scored(view.worker(), &EvaluationWorker::scored);
        QSignalSpy finished(view.worker(), &EvaluationWorker::finished);
        button(view, "evaluateButton")->click();
        QVERIFY(arrived(finished));

        QCOMPARE(scored.count(), 2);
        const auto first = scored.at(0).at(0).value<CheckpointScore>();
        const auto second = scored.at(1).at(0).value<CheckpointScore>();
        QCOMPARE(first.step, qint64(100));
        QCOMPARE(first.path, early_);
        QCOMPARE(second.step, qint64(200));
        for (const CheckpointScore& s : {first, second}) {
            QVERIFY(std::isfinite(s.fid) && s.fid > 0);
            QVERIFY(std::isfinite(s.kid) && s.kidStd >= 0);
            QVERIFY(s.confidentShare >= 0 && s.confidentShare <= 1);
            QVERIFY(s.classMatchShare >= 0 && s.classMatchShare <= 1);   // a class-conditional model
            QVERIFY(s.chanceMatchShare > 0 && s.chanceMatchShare <= 1);
            QCOMPARE(s.askedWithSeenWords, qint64(-1));
            QCOMPARE(s.count, qint64(16));
        }
        QVERIFY(first.fid != second.fid);   // raw and EMA weights: two models
        verifyConsistent(view);
        QCOMPARE(view.plot()->graph(0)->dataCount(), 2);
        QCOMPARE(view.plot()->graph(0)->data()->at(0)->key, 100.0);
        QCOMPARE(view.plot()->graph(1)->data()->at(1)->value, second.kid);
        QCOMPARE(view.table()->item(1, 0)->text(), QLocale().toString(200));
        QVERIFY(view.table()->item(1, 4)->text().contains("(chance "));
        QVERIFY(view.findChild<QLabel*>("extractorLabel")->text().contains("mnist.classifier"));

        const QString csvPath = dir_.filePath("scores.csv");
        QCOMPARE(view.exportCsv(csvPath), QString());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QString("step,fid,kid,kid_std,confident_share,class_match_share,chance_match_share,"
                                   "held_out_captions,asked_with_seen_words,seen_words_matched,samples,"
                                   "reference_images,checkpoint,extractor"));
        QVERIFY(lines[1].startsWith("100," + QString::number(first.fid, 'g', 8) + ","));
        QCOMPARE(lines[1].split(',').mid(5, 6), (QStringList{QString::number(first.classMatchShare, 'g', 8),
                                                             QString::number(first.chanceMatchShare, 'g', 8), "0", "",
                                                             "", "16"}));
        QVERIFY(lines[2].startsWith("200,"));
        QVERIFY(lines[2].contains(late_));

        if (qEnvironmentVariableIsSet("DDPM_SCREENSHOT_DIR")) {
            window.resize(1360, 860);
            window.tabs()->setCurrentWidget(&view);
            window.show();
            QTest::qWait(300);
            QVERIFY(window.grab().save(QDir(qEnvironmentVariable("DDPM_SCREENSHOT_DIR")).filePath("evaluate.png")));
        }
        // A folder that is not there: the reason names the file, nothing half-written.
        QVERIFY(view.exportCsv(dir_.filePath("missing/scores.csv")).contains("missing/scores.csv"));
    }

    // Cancelled as soon as the steps are read: the run folder's model.ckpt repeats step 200.
    void runFolderScoresEachStepOnceAndCancelKeepsItConsistent() {
        EvaluateView& view = *window_->evaluateView();
        const QString run = dir_.filePath("run");
        QVERIFY(QDir().mkpath(QFileInfo(stepSnapshotPath(run, 100)).path()));
        QVERIFY(QFile::copy(early_, stepSnapshotPath(run, 100)));
        QVERIFY(QFile::copy(late_, stepSnapshotPath(run, 200)));
        QVERIFY(QFile::copy(late_, QDir(run).filePath("model.ckpt")));   // the newest, as the Train tab leaves it
        view.setRunFolder(run);
        QCOMPARE(view.checkpoints().size(), 3);

        QSignalSpy started(view.worker(), &EvaluationWorker::started);
        QSignalSpy cancelled(view.worker(), &EvaluationWorker::cancelled);
        connect(view.worker(), &EvaluationWorker::started, &view,
                [&view] { button(view, "cancelEvaluationButton")->click(); });
        view.evaluate();
        QVERIFY(view.scores().isEmpty());   // a new evaluation starts from an empty table
        QVERIFY(arrived(cancelled));
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(0).toInt(), 2);
        // The first checkpoint may have been scored before the cancel reached the worker, never both.
        QVERIFY(cancelled.at(0).at(0).toInt() <= 1);
        QCOMPARE(int(view.scores().size()), cancelled.at(0).at(0).toInt());
        verifyConsistent(view);
        QVERIFY(view.findChild<QLabel*>("evaluationStatus")->text().startsWith("Cancelled"));
        disconnect(view.worker(), &EvaluationWorker::started, &view, nullptr);
    }

    // A text model of the digits' captions, a few steps old: asked by the held-out captions, each
    // sample's class is that of the image whose caption asked for it. A class model is refused.
    void heldOutCaptionsAskATextModel() {
        EvaluateView& view = *window_->evaluateView();
        const ddpm::Dataset& digits = *window_->datasetView()->dataset();
        ddpm::RunConfig config;
        config.model = ddpm::ModelConfig::preset("tiny", 1, 28);
        config.model.baseChannels = 8;
        config.model.groups = 4;
        config.model.channelMults = {1, 2};
        config.model.attentionLevels = {};
        config.model.useBuiltinText(ddpm::captionVocabulary(digits));
        config.model.text.width = 16;
        config.model.text.layers = 1;
        config.data = ddpm::dataInfoOf(digits, config.model);
        config.train.batchSize = 8;
        ddpm::Trainer trainer(config, digits, torch::kCPU);
        for (int i = 0; i < 3; ++i) trainer.step();
        const QString text = dir_.filePath("text.ckpt");
        trainer.save(text.toStdString());

        auto* heldOut = view.findChild<QCheckBox*>("heldOutCaptions");
        QVERIFY(heldOut);
        heldOut->setChecked(true);
        const auto uncheck = qScopeGuard([heldOut] { heldOut->setChecked(false); });   // for the tests after, whatever happens
        setTinySettings(view);
        view.setCheckpointFiles({text});
        QSignalSpy scored(view.worker(), &EvaluationWorker::scored);
        QSignalSpy finished(view.worker(), &EvaluationWorker::finished);
        view.evaluate();
        QVERIFY(arrived(finished));
        QCOMPARE(scored.count(), 1);
        const auto score = scored.at(0).at(0).value<CheckpointScore>();
        QVERIFY(score.classMatchShare >= 0 && score.classMatchShare <= 1);
        QVERIFY(score.chanceMatchShare >= 0 && score.chanceMatchShare <= 1);   // 0 when no asked-for class is ever drawn
        QCOMPARE(score.count, qint64(16));
        QVERIFY(score.heldOutCaptions);
        // The digits' captions use the words of the training captions: every one is seen.
        QCOMPARE(score.askedWithSeenWords, qint64(16));
        QVERIFY(score.seenWordsMatched <= score.askedWithSeenWords);
        verifyConsistent(view);
        QVERIFY(view.table()->item(0, 4)->text().contains("(chance "));
        QVERIFY2(view.table()->item(0, 4)->toolTip().startsWith("16 of the captions use only words seen in training"),
                 qPrintable(view.table()->item(0, 4)->toolTip()));
        const QString csvPath = dir_.filePath("held-out.csv");
        QCOMPARE(view.exportCsv(csvPath), QString());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList row = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts).at(1).split(',');
        QCOMPARE(row.mid(7, 3), (QStringList{"1", "16", QString::number(score.seenWordsMatched)}));

        view.setCheckpointFiles({early_});
        QSignalSpy failed(view.worker(), &EvaluationWorker::failed);
        view.evaluate();
        QVERIFY(arrived(failed));
        const QString status = view.findChild<QLabel*>("evaluationStatus")->text();
        QVERIFY2(status.contains("needs a text model"), qPrintable(status));
    }

    // An installation without the shipped classifier: the reason, not a crash of the worker thread.
    void missingShippedClassifierIsAnError() {
        EvaluateView& view = *window_->evaluateView();
        const QByteArray dataDir = qgetenv("DDPM_STUDIO_DATA_DIR");
        const auto restore = qScopeGuard([&] { qputenv("DDPM_STUDIO_DATA_DIR", dataDir); });
        QVERIFY(QDir().mkpath(dir_.filePath("empty-share")));
        qputenv("DDPM_STUDIO_DATA_DIR", dir_.filePath("empty-share").toUtf8());
        view.setCheckpointFiles({early_});
        QSignalSpy failed(view.worker(), &EvaluationWorker::failed);
        view.evaluate();
        QVERIFY(arrived(failed));
        const QString status = view.findChild<QLabel*>("evaluationStatus")->text();
        QVERIFY2(status.contains("mnist.classifier") && status.contains("Choose a feature file"), qPrintable(status));
        verifyConsistent(view);
    }

    void datasetWithoutBuiltinExtractorPointsToFeatureFiles() {
        loadDataset(*window_, "toy:moons");   // last: the window keeps it
        EvaluateView& view = *window_->evaluateView();
        view.setCheckpointFiles({early_});
        QSignalSpy failed(view.worker(), &EvaluationWorker::failed);
        view.evaluate();
        QVERIFY(arrived(failed));
        const QString status = view.findChild<QLabel*>("evaluationStatus")->text();
        QVERIFY2(status.contains("toy:moons") && status.contains("Choose a feature file"), qPrintable(status));
        verifyConsistent(view);

        // The feature-file option without a file says so instead of starting.
        auto* kind = view.findChild<QComboBox*>("featureKind");
        kind->setCurrentIndex(kind->findData("file"));
        view.evaluate();
        QVERIFY(view.findChild<QLabel*>("evaluationStatus")->text().startsWith("Choose a feature file"));
        QVERIFY(!view.worker()->isBusy());
    }

    void trainTabKeepsStepSnapshots() {
        TrainView& train = *window_->trainView();   // on toy:moons, loaded by the test before
        TrainSettings s = TrainSettings::defaults();
        s.steps = 20;
        s.previewEvery = 0;
        train.settingsPanel()->setSettings(s);
        button(train, "startButton")->click();
        QTRY_COMPARE_WITH_TIMEOUT(train.worker()->state(), TrainingWorker::State::Finished, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(stepSnapshotPath(train.runFolder(), 20)), 5000);
        QCOMPARE(runCheckpointFiles(train.runFolder()),
                 (QStringList{stepSnapshotPath(train.runFolder(), 20), QDir(train.runFolder()).filePath("model.ckpt")}));
        QCOMPARE(ddpm::loadCheckpoint(stepSnapshotPath(train.runFolder(), 20).toStdString(), torch::kCPU).progress.step,
                 int64_t(20));
        // The Evaluate tab lists the Train tab's run on request.
        button(*window_->evaluateView(), "useTrainRun")->click();
        QCOMPARE(window_->evaluateView()->checkpoints(), runCheckpointFiles(train.runFolder()));
    }
};

QTEST_MAIN(TestEvaluateView)
#include "test_evaluate_view.moc"
