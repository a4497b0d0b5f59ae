// The ddpm command-line tool, run as a user runs it: output, files and exit codes.
#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include "autoencoder/AutoencoderFile.h"
#include "data/DatasetLoader.h"
#include "diffusion/NoiseSchedule.h"
#include "eval/ClassifierTraining.h"
#include "eval/Evaluation.h"
#include "image/ImageGrid.h"
#include "models/Precision.h"
#include "sampling/SamplingParameters.h"
#include "support/SafetensorsReader.h"
#include "support/TinyClipFolder.h"
#include "training/Checkpoint.h"
#include "training/RunConfig.h"

namespace {

QSize pngSize(const QString& file) {
    const cv::Mat m = cv::imread(file.toStdString(), cv::IMREAD_UNCHANGED);
    return QSize(m.cols, m.rows);
}

struct Run {
    int exitCode;
    QString out, err;
};

Run runDdpm(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(DDPM_CLI_PATH), args);
    if (!p.waitForFinished(240000)) return {-1, {}, "timed out"};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// The "(default X)" of an option in 'ddpm VERB --help'; "" when it shows none. Each verb's
// help is read once: a start of the program takes a second or two.
QString helpDefault(const QString& verb, const QString& option) {
    static QMap<QString, Run> helps;
    if (!helps.contains(verb)) helps.insert(verb, runDdpm({verb, "--help"}));
    const Run& help = helps[verb];
    const QRegularExpression line("^ +(-[a-z], )?--" + QRegularExpression::escape(option) + " .*\\(default ([^ :)]+)\\)$");
    for (const QString& text : help.out.split('\n'))
        if (const auto match = line.match(text); match.hasMatch()) return match.captured(2);
    return {};
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

private slots:
    void initTestCase() {
        // What the runs make again (encoded latents) stays in the test's own folder.
        qputenv("DDPM_STUDIO_CACHE_DIR", QFile::encodeName(path("cache")));
    }

    void helpAndVersion() {
        Run help = runDdpm({"--help"});
        QCOMPARE(help.exitCode, 0);
        for (const char* verb : {"info", "train", "sample", "noise"}) QVERIFY(help.out.contains(verb));
        Run version = runDdpm({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("ddpm "));
        Run trainHelp = runDdpm({"train", "--help"});
        QCOMPARE(trainHelp.exitCode, 0);
        QVERIFY(trainHelp.out.contains("--minutes"));
    }

    // ddpm train restarts itself once with passive OpenMP waits (same process id, new
    // environment); a policy the user chose stays.
    void longRunningVerbsWaitPassively() {
        auto policyOf = [&](const QString& given) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove("OMP_WAIT_POLICY");
            if (!given.isEmpty()) env.insert("OMP_WAIT_POLICY", given);
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(DDPM_CLI_PATH),
                    {"train", "--data", "toy:moons", "--steps", "100000", "--out", path("passive-" + given)});
            if (!p.waitForStarted()) return QString("did not start");
            QString policy;
            const bool seen = QTest::qWaitFor([&] {
                QFile environ(QString("/proc/%1/environ").arg(p.processId()));
                if (!environ.open(QIODevice::ReadOnly)) return false;
                for (const QByteArray& entry : environ.readAll().split('\0'))
                    if (entry.startsWith("OMP_WAIT_POLICY=")) policy = QString::fromUtf8(entry.mid(16));
                return !policy.isEmpty() || p.state() != QProcess::Running;
            }, 60000);
            p.kill();
            p.waitForFinished();
            return seen ? policy : QString("timed out");
        };
        QCOMPARE(policyOf(""), QString("PASSIVE"));
        QCOMPARE(policyOf("ACTIVE"), QString("ACTIVE"));
    }

    // --help and the man page show the option table's defaults (app/cli/OptionTable.cpp):
    // they must stay core's.
    void helpShowsCoresDefaults() {
        const ddpm::RunConfig run;
        QCOMPARE(helpDefault("train", "steps"), QString::number(ddpm::kDefaultTrainingSteps));
        QCOMPARE(helpDefault("train", "batch"), QString::number(run.train.batchSize));
        QCOMPARE(helpDefault("train", "lr").toDouble(), run.train.learningRate);
        QCOMPARE(helpDefault("train", "warmup"), QString::number(run.train.warmupSteps));
        QCOMPARE(helpDefault("train", "lr-decay"), QString(run.train.decay == ddpm::LrDecay::Cosine ? "cosine" : "constant"));
        QCOMPARE(helpDefault("train", "clip").toDouble(), run.train.gradClip);
        QCOMPARE(helpDefault("train", "loss"), QString::fromStdString(ddpm::toString(run.weighting)));
        QCOMPARE(helpDefault("train", "ema").toDouble(), run.train.emaDecay);
        QCOMPARE(helpDefault("train", "precision"), QString::fromStdString(ddpm::toString(run.train.precision)));
        QCOMPARE(helpDefault("train", "cond-drop").toDouble(), run.train.classDropProb);
        QCOMPARE(helpDefault("train", "seed"), QString::number(run.train.seed));
        QCOMPARE(helpDefault("train", "timesteps"), QString::number(run.schedule.timesteps));
        QCOMPARE(helpDefault("noise", "schedule"), QString::fromStdString(ddpm::toString(ddpm::ScheduleConfig().kind)));

        const ddpm::SamplingParameters sampling;
        for (const char* verb : {"sample", "eval"}) {
            QCOMPARE(helpDefault(verb, "sampler"), QString::fromStdString(ddpm::toString(sampling.sampler)));
            QCOMPARE(helpDefault(verb, "steps"), QString::number(sampling.steps));
            QCOMPARE(helpDefault(verb, "eta").toDouble(), sampling.eta);
            QCOMPARE(helpDefault(verb, "guidance").toDouble(), sampling.guidance);
            QCOMPARE(helpDefault(verb, "seed"), QString::number(sampling.seed));
            QCOMPARE(helpDefault(verb, "precision"), QString::fromStdString(ddpm::toString(sampling.precision)));
        }
        QCOMPARE(helpDefault("eval", "batch"), QString::number(ddpm::EvalConfig().batchSize));
        QCOMPARE(helpDefault("eval", "features"), QString::fromStdString(ddpm::EvalConfig().features));

        const ddpm::ClassifierTrainConfig classifier;
        QCOMPARE(helpDefault("train-classifier", "epochs"), QString::number(classifier.epochs));
        QCOMPARE(helpDefault("train-classifier", "batch"), QString::number(classifier.batchSize));
        QCOMPARE(helpDefault("train-classifier", "lr").toDouble(), classifier.learningRate);
        QCOMPARE(helpDefault("train-classifier", "shift"), QString::number(classifier.maxShift));
        QCOMPARE(helpDefault("train-classifier", "width"), QString::number(classifier.width));
        QCOMPARE(helpDefault("train-classifier", "feature-dim"), QString::number(classifier.featureDim));
        QCOMPARE(helpDefault("train-classifier", "seed"), QString::number(classifier.seed));

        const ddpm::AutoencoderTrainingConfig vae;
        QCOMPARE(helpDefault("train-vae", "factor"), QString::number(vae.model.factor));
        QCOMPARE(helpDefault("train-vae", "latent-channels"), QString::number(vae.model.latentChannels));
        QCOMPARE(helpDefault("train-vae", "base-channels"), QString::number(vae.model.baseChannels));
        QCOMPARE(helpDefault("train-vae", "groups"), QString::number(vae.model.groups));
        QCOMPARE(helpDefault("train-vae", "kl-weight").toDouble(), vae.klWeight);
        QCOMPARE(helpDefault("train-vae", "batch"), QString::number(vae.batchSize));
        QCOMPARE(helpDefault("train-vae", "lr").toDouble(), vae.learningRate);
        QCOMPARE(helpDefault("train-vae", "warmup"), QString::number(vae.warmupSteps));
        QCOMPARE(helpDefault("train-vae", "clip").toDouble(), vae.gradClip);
        QCOMPARE(helpDefault("train-vae", "seed"), QString::number(vae.seed));
    }

    // ddpm train-vae, then info, export and resume on what it wrote; a diffusion verb refuses it.
    void trainVaeInfoExportAndResume() {
        const QStringList small = {"--data", "mnist", "--resolution", "28", "--base-channels", "8", "--groups", "4",
                                   "--batch", "4", "--save-every", "3", "--out", path("vae")};
        Run train = runDdpm(QStringList{"train-vae", "--steps", "6"} + small);
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        QVERIFY2(train.out.contains("held-out PSNR"), qPrintable(train.out));
        for (const char* file : {"model.ckpt", "metrics.csv", "reconstructions-000003.png", "reconstructions.png",
                                 "checkpoints/step-000006.ckpt"})
            QVERIFY2(QFile::exists(path("vae/") + file), file);
        // Rows of 8 held-out digits above their reconstructions: 4 pairs of rows of 28-px cells.
        QCOMPARE(pngSize(path("vae/reconstructions.png")), QSize(8 * 28 + 9 * 2, 8 * 28 + 9 * 2));

        Run info = runDdpm({"info", path("vae/model.ckpt")});
        QCOMPARE(info.exitCode, 0);
        QVERIFY2(info.out.contains("KL autoencoder 28x28x1 -> 8x8x4 (factor 4, padded to 32)"), qPrintable(info.out));
        QVERIFY(info.out.contains("held out   PSNR"));
        QVERIFY(info.out.contains("trained    6 steps"));

        Run exported = runDdpm({"export", path("vae/model.ckpt"), "-o", path("vae.safetensors")});
        QVERIFY2(exported.exitCode == 0, qPrintable(exported.err));
        const auto file = ddpm::test::readSafetensors(path("vae.safetensors").toStdString());
        const auto vae = ddpm::loadAutoencoderCheckpoint(path("vae/model.ckpt").toStdString(), torch::kCPU);
        QCOMPARE(file.metadata.at("ddpm.kind"), std::string("autoencoder"));
        QCOMPARE(file.metadata.at("run.autoencoder.factor"), std::string("4"));
        QCOMPARE(file.tensors.size(), vae.autoencoder.model->named_parameters().size());
        const auto weight = vae.autoencoder.model->named_parameters()["encoder_in.weight"].contiguous();
        const std::vector<float> values = ddpm::test::floatValues(file, "encoder_in.weight");
        QVERIFY(std::equal(values.begin(), values.end(), weight.data_ptr<float>()));

        Run resumed = runDdpm(QStringList{"train-vae", "--resume", path("vae/model.ckpt"), "--steps", "2"} + small);
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.out.contains("trained 8 steps"), qPrintable(resumed.out));

        // Latent diffusion through it: the checkpoint carries the autoencoder.
        const QStringList latentOptions = {"--data", "mnist", "--vae", path("vae/model.ckpt"), "--base-channels", "8",
                                           "--groups", "4", "--batch", "4", "--save-every", "3", "--out", path("latent")};
        Run latent = runDdpm(QStringList{"train", "--steps", "3"} + latentOptions);
        QVERIFY2(latent.exitCode == 0, qPrintable(latent.err));
        QVERIFY2(latent.err.contains("latent diffusion: 8×8×4 latents of 28×28×1 pixels"), qPrintable(latent.err));
        QVERIFY2(latent.err.contains("encoding the training set"), qPrintable(latent.err));
        QCOMPARE(pngSize(path("latent/samples.png")), QSize(8 * 28 + 9 * 2, 8 * 28 + 9 * 2));   // decoded digits
        Run latentInfo = runDdpm({"info", path("latent/model.ckpt")});
        QVERIFY2(latentInfo.out.contains("latents    KL autoencoder 28x28x1 -> 8x8x4"), qPrintable(latentInfo.out));
        QVERIFY(QFile::copy(path("vae/model.ckpt"), path("vae-kept.ckpt")));
        QVERIFY(QDir(path("vae")).removeRecursively());   // self-contained: samples without the autoencoder's file
        Run latentSample = runDdpm({"sample", path("latent/model.ckpt"), "-n", "4", "--steps", "3", "-o", path("l.png")});
        QVERIFY2(latentSample.exitCode == 0, qPrintable(latentSample.err));
        QCOMPARE(pngSize(path("l.png")), QSize(2 * 28 + 3 * 2, 2 * 28 + 3 * 2));
        // Scored against the digits' held-out pictures (not at the latents' 8 px).
        Run latentEval = runDdpm({"eval", path("latent/model.ckpt"), "--count", "8", "--steps", "2"});
        QVERIFY2(latentEval.exitCode == 0, qPrintable(latentEval.err));
        QVERIFY2(latentEval.out.contains("FID"), qPrintable(latentEval.out));
        Run latentResumed = runDdpm({"train", "--data", "mnist", "--resume", path("latent/model.ckpt"), "--steps", "1",
                                     "--out", path("latent")});
        QVERIFY2(latentResumed.exitCode == 0, qPrintable(latentResumed.err));
        QVERIFY2(latentResumed.out.contains("trained 4 steps"), qPrintable(latentResumed.out));
        // A latent model's checkpoint lends its autoencoder to a new run.
        Run shared = runDdpm({"train", "--data", "mnist", "--vae", path("latent/model.ckpt"), "--steps", "1",
                              "--save-every", "0", "--out", path("shared-vae")});
        QVERIFY2(shared.exitCode == 0, qPrintable(shared.err));
        QVERIFY2(shared.err.contains("latent diffusion: 8×8×4 latents"), qPrintable(shared.err));
        // Bad input: a missing autoencoder, a pixel model or a classifier as one, one that does not fit the data.
        Run missing = runDdpm({"train", "--data", "mnist", "--vae", path("nothere.ckpt"), "--steps", "1", "--out", path("x")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("nothere.ckpt"), qPrintable(missing.err));
        const QString data = qEnvironmentVariable("DDPM_STUDIO_DATA_DIR");
        Run pixels = runDdpm({"train", "--data", "mnist", "--vae", data + "/models/mnist-tiny.ckpt", "--steps", "1", "--out", path("x")});
        QCOMPARE(pixels.exitCode, 1);
        QVERIFY2(pixels.err.contains("mnist-tiny.ckpt: a pixel model's checkpoint has no autoencoder"), qPrintable(pixels.err));
        Run notVae = runDdpm({"train", "--data", "mnist", "--vae", data + "/models/mnist.classifier", "--steps", "1", "--out", path("x")});
        QCOMPARE(notVae.exitCode, 1);
        QVERIFY2(notVae.err.contains("mnist.classifier: not an autoencoder but a"), qPrintable(notVae.err));
        Run otherSize = runDdpm({"train", "--data", "mnist", "--resolution", "32", "--vae", path("vae-kept.ckpt"), "--steps",
                                 "1", "--out", path("x")});
        QCOMPARE(otherSize.exitCode, 2);
        QVERIFY2(otherSize.err.contains("made for 28 px"), qPrintable(otherSize.err));
        Run points = runDdpm({"train", "--data", "toy:moons", "--vae", path("vae-kept.ckpt"), "--steps", "1", "--out", path("x")});
        QCOMPARE(points.exitCode, 2);
        QVERIFY2(points.err.contains("2-D points"), qPrintable(points.err));

        Run sample = runDdpm({"sample", path("vae-kept.ckpt"), "-o", path("x.png")});
        QCOMPARE(sample.exitCode, 1);
        QVERIFY2(sample.err.contains("an autoencoder (from ddpm train-vae), not a diffusion model"), qPrintable(sample.err));
        Run vaePoints = runDdpm({"train-vae", "--data", "toy:moons", "--steps", "1", "--out", path("vae-points")});
        QCOMPARE(vaePoints.exitCode, 2);
        QVERIFY2(vaePoints.err.contains("2-D points"), qPrintable(vaePoints.err));
    }

    void usageErrorsExitWithTwo() {
        Run unknown = runDdpm({"frobnicate"});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("ddpm: error: unknown verb 'frobnicate'"));
        Run badOption = runDdpm({"info", "mnist", "--bogus"});
        QCOMPARE(badOption.exitCode, 2);
        QVERIFY(badOption.err.contains("unknown option '--bogus'"));
        Run badValue = runDdpm({"noise", "--data", "mnist", "--t", "0,x", "-o", path("x.png")});
        QCOMPARE(badValue.exitCode, 2);
        QVERIFY(badValue.err.contains("--t expects numbers"));
        Run noSteps = runDdpm({"noise", "--data", "mnist", "--t", "", "-o", path("x.png")});
        QCOMPARE(noSteps.exitCode, 2);
        QVERIFY(noSteps.err.contains("--t needs at least one step"));
        Run zeroMult = runDdpm({"train", "--data", "mnist", "--channel-mults", "1,0,2", "--out", path("never")});
        QCOMPARE(zeroMult.exitCode, 2);
        QVERIFY2(zeroMult.err.contains("model.channel_mults must each be 1"), qPrintable(zeroMult.err));
        // A batch no machine of today holds: refused at once, before the system's out-of-memory killer.
        Run hugeBatch = runDdpm({"train", "--data", "mnist", "--preset", "small", "--batch", "65536", "--out", path("never")});
        QCOMPARE(hugeBatch.exitCode, 1);
        QVERIFY2(hugeBatch.err.contains("train.batch 65536: a training step of this model needs at least"),
                 qPrintable(hugeBatch.err));
        QVERIFY(!QFileInfo::exists(path("never")));
    }

    // A full disk at a save (here a file-size limit, which fails writes the same way): exit 1 with the
    // folder and the space named, nothing half-written under a final name, no temporary left behind.
    void aFullDiskStopsTrainingWithExitOne() {
        const QString out = path("full-disk-run");
        QProcess p;
        p.start("/bin/sh", {"-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" train --data toy:moons --preset mlp "
                                  "--steps 4 --save-every 2 --out \"$1\"",
                            QStringLiteral(DDPM_CLI_PATH), out});
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains("disk full: needs") && err.contains(out), qPrintable(err));
        QVERIFY(!QFileInfo::exists(out + "/model.ckpt"));
        const QStringList left = QDir(out).entryList(QDir::Files | QDir::Hidden);
        for (const QString& name : left) QVERIFY2(!name.contains(".tmp-"), qPrintable(name));
    }

    void infoOnTheBuiltInDigits() {
        Run r = runDdpm({"info", "mnist"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("images     10000, 28x28x1 (grey)"));
        QVERIFY(r.out.contains("classes    10"));
        QVERIFY(r.out.contains("split      9000 train, 1000 held out"));
        Run list = runDdpm({"info"});
        QCOMPARE(list.exitCode, 0);
        QVERIFY(list.out.contains("620705"));   // the peer preset's size
    }

    void badInputFailsWithOne() {
        Run r = runDdpm({"info", path("nowhere")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.startsWith("ddpm: error: "));
        QVERIFY(r.err.contains("nowhere: no such file or folder"));
    }

    void trainSampleAndInfoOnAToy() {
        Run train = runDdpm({"train", "--data", "toy:moons", "--steps", "30", "--batch", "32", "--out", path("run"),
                          "--save-every", "0", "--threads", "1"});
        QCOMPARE(train.exitCode, 0);
        QVERIFY(QFile::exists(path("run/model.ckpt")));
        QFile metrics(path("run/metrics.csv"));
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(metrics.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("step,wall_seconds,loss,lr,grad_norm,images_per_s"));
        QCOMPARE(rows.size(), 31);
        QVERIFY(rows.last().startsWith("30,"));

        Run sample = runDdpm({"sample", path("run/model.ckpt"), "-n", "10", "--device", "cpu", "-o", path("points.csv")});
        QCOMPARE(sample.exitCode, 0);
        QFile points(path("points.csv"));
        QVERIFY(points.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(points.readAll()).split('\n', Qt::SkipEmptyParts).size(), 11);
        QVERIFY2(!sample.err.contains("note: bf16"), qPrintable(sample.err));
        // bf16 where LibTorch only has its slow fallback: said, and still done.
        Run bf16 = runDdpm({"sample", path("run/model.ckpt"), "-n", "10", "--precision", "bf16", "--device", "cpu", "-o",
                            path("b.csv")});
        QCOMPARE(bf16.exitCode, 0);
        QCOMPARE(bf16.err.contains("note: bf16 on this CPU (no AVX-512) runs LibTorch's fallback"), ddpm::cpuBf16IsSlowFallback());

        Run info = runDdpm({"info", path("run/model.ckpt")});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(info.out.contains("trained    30 steps"));

        // Resuming continues the step count.
        Run resume = runDdpm({"train", "--data", "toy:moons", "--resume", path("run/model.ckpt"), "--steps", "5", "--out",
                           path("run"), "--save-every", "0", "--threads", "1"});
        QCOMPARE(resume.exitCode, 0);
        QVERIFY(resume.out.contains("trained 35 steps"));
    }

    // --preset tiny brings its recipe (v objective, cosine schedule, class labels where the
    // data has them); the options still win.
    void tinyPresetRecipe() {
        // Narrow models: the recipe is what is checked, and each run ends with a grid of 64 samples.
        const QStringList narrow = {"--base-channels", "8", "--channel-mults", "1,1", "--attention", "1", "--groups", "4"};
        Run recipe = runDdpm(QStringList{"train", "--data", "mnist", "--steps", "1", "--batch", "2", "--save-every", "0",
                                         "--out", path("tiny-recipe"), "--threads", "1"} + narrow);
        QCOMPARE(recipe.exitCode, 0);
        Run info = runDdpm({"info", path("tiny-recipe/model.ckpt")});
        QVERIFY2(info.out.contains("schedule   cosine") && info.out.contains("objective  v,"), qPrintable(info.out));
        QVERIFY2(info.out.contains("classes    10: 0 1 2 3 4 5 6 7 8 9"), qPrintable(info.out));
        Run chosen = runDdpm(QStringList{"train", "--data", "mnist", "--steps", "1", "--batch", "2", "--save-every", "0",
                                         "--objective", "eps", "--schedule", "linear", "--unconditional", "--out",
                                         path("tiny-chosen"), "--threads", "1"} + narrow);
        QCOMPARE(chosen.exitCode, 0);
        Run chosenInfo = runDdpm({"info", path("tiny-chosen/model.ckpt")});
        QVERIFY2(chosenInfo.out.contains("schedule   linear") && chosenInfo.out.contains("objective  eps,"),
                 qPrintable(chosenInfo.out));
        QVERIFY2(!chosenInfo.out.contains("classes"), qPrintable(chosenInfo.out));

        // The toy MLP takes a toy's labels too; other presets stay unconditional unless
        // asked; asking for both is a usage error.
        Run toy = runDdpm({"train", "--data", "toy:gmm8", "--steps", "1", "--batch", "2", "--save-every", "0",
                           "--out", path("gmm-default"), "--threads", "1"});
        QCOMPARE(toy.exitCode, 0);
        QVERIFY(runDdpm({"info", path("gmm-default/model.ckpt")}).out.contains("classes    8:"));
        Run peer = runDdpm(QStringList{"train", "--data", "mnist", "--preset", "peer", "--steps", "1", "--batch", "2",
                                       "--save-every", "0", "--out", path("peer-default"), "--threads", "1"} + narrow);
        QCOMPARE(peer.exitCode, 0);
        QVERIFY(!runDdpm({"info", path("peer-default/model.ckpt")}).out.contains("classes"));
        Run both = runDdpm({"train", "--data", "mnist", "--steps", "1", "--classes", "--unconditional", "--out",
                            path("both")});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains("--classes or --unconditional"), qPrintable(both.err));
    }

    // ddpm train --text builtin on the digits' generated captions, then prompts: sample, a grid
    // row per prompt, notes on unknown words, misuse as usage errors, encode-text, the attribute probe.
    void textPromptsEndToEnd() {
        const QStringList small = {"--base-channels", "8", "--groups", "4", "--channel-mults", "1,2", "--attention", "1",
                                   "--text-width", "16", "--text-layers", "1", "--threads", "1", "--save-every", "0"};
        Run train = runDdpm(QStringList{"train", "--data", "mnist", "--text", "builtin", "--steps", "2", "--batch", "4",
                                        "--hold-out", "Thick seven", "--out", path("text")} + small);
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        const QString model = path("text/model.ckpt");
        Run info = runDdpm({"info", model});
        QVERIFY2(info.out.contains("prompts    19 words: a") && info.out.contains("held out   the training captions with all of: thick seven"),
                 qPrintable(info.out));
        QVERIFY(!info.out.contains("classes"));

        Run sample = runDdpm({"sample", model, "--steps", "2", "-n", "2", "--prompt", "a thick blue seven", "--guidance",
                              "2", "--negative-prompt", "thin", "-o", path("prompted.png")});
        QVERIFY2(sample.exitCode == 0, qPrintable(sample.err));
        QVERIFY2(sample.err.contains("never saw the word blue"), qPrintable(sample.err));
        const auto text = ddpm::readPngText(path("prompted.png").toStdString());
        QCOMPARE(QString::fromStdString(text.at("ddpm:prompt")), QString("a thick blue seven"));
        QCOMPARE(QString::fromStdString(text.at("ddpm:negative_prompt")), QString("thin"));

        QFile prompts(path("prompts.txt"));
        QVERIFY(prompts.open(QIODevice::WriteOnly));
        prompts.write("a seven\n\na large two\n");
        prompts.close();
        Run rows = runDdpm({"sample", model, "--steps", "2", "-n", "3", "--prompts", path("prompts.txt"), "-o", path("rows.png")});
        QVERIFY2(rows.exitCode == 0, qPrintable(rows.err));
        QCOMPARE(pngSize(path("rows.png")), QSize(3 * 28 + 4 * 2, 2 * 28 + 3 * 2));   // a row per prompt

        Run classToText = runDdpm({"sample", model, "--class", "3", "-o", path("x.png")});
        QCOMPARE(classToText.exitCode, 2);
        QVERIFY2(classToText.err.contains("takes prompts"), qPrintable(classToText.err));
        const QString shipped = qEnvironmentVariable("DDPM_STUDIO_DATA_DIR") + "/models/mnist-tiny.ckpt";
        Run promptToClasses = runDdpm({"sample", shipped, "--prompt", "a seven", "-o", path("x.png")});
        QCOMPARE(promptToClasses.exitCode, 2);
        QVERIFY2(promptToClasses.err.contains("trained without text"), qPrintable(promptToClasses.err));
        Run accented = runDdpm({"sample", model, "--steps", "1", "-n", "1", "--prompt", QString::fromUtf8("un caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac"), "-o", path("x.png")});
        QCOMPARE(accented.exitCode, 0);
        QVERIFY2(accented.err.contains(QString::fromUtf8("never saw the words un, caf\xc3\xa9, \xe6\x9d\xb1\xe4\xba\xac")), qPrintable(accented.err));
        Run textOnPoints = runDdpm({"train", "--data", "toy:moons", "--text", "builtin", "--steps", "1", "--out", path("x")});
        QCOMPARE(textOnPoints.exitCode, 2);
        QVERIFY2(textOnPoints.err.contains("has none"), qPrintable(textOnPoints.err));

        Run tokens = runDdpm({"encode-text", "--text", model, "--prompt", "a seven", "--tokens", "--pooled", "-o",
                              path("seven.npy")});
        QVERIFY2(tokens.exitCode == 0, qPrintable(tokens.err));
        QVERIFY2(QRegularExpression("^2 4 \\d+ 3\n$").match(tokens.out).hasMatch(), qPrintable(tokens.out));
        QFile npy(path("seven.npy"));
        QVERIFY(npy.open(QIODevice::ReadOnly));
        const QByteArray header = npy.read(128);
        QVERIFY2(header.startsWith("\x93NUMPY") && header.contains("'shape': (1, 16)"), header.constData());
        QCOMPARE(npy.size(), qint64(128 + 16 * 4));   // the data starts at 128 and is 1×16 floats

        // Each held-out digit asked for by its own caption: the classes asked for are theirs.
        Run heldOut = runDdpm({"eval", model, "--held-out-captions", "-n", "6", "--steps", "2", "--batch", "4", "--json",
                               "--threads", "1"});
        QVERIFY2(heldOut.exitCode == 0, qPrintable(heldOut.err));
        const QJsonObject heldOutJson = QJsonDocument::fromJson(heldOut.out.toUtf8()).object();
        const ddpm::Dataset digits = ddpm::loadDataset("mnist");
        std::vector<int> expected(10, 0);
        for (int64_t i = digits.trainCount; i < digits.trainCount + 6; ++i) ++expected[size_t(digits.labels[size_t(i)])];
        const QJsonArray asked = heldOutJson["asked_for"].toArray(), matched = heldOutJson["matched_for"].toArray();
        QCOMPARE(heldOutJson["n"].toInt(), 6);
        QVERIFY(heldOutJson["held_out_captions"].toBool());
        QCOMPARE(asked.size(), 10);
        QCOMPARE(matched.size(), 10);
        int matchedCount = 0;
        for (int k = 0; k < 10; ++k) {
            QCOMPARE(asked[k].toInt(), expected[size_t(k)]);
            QVERIFY(matched[k].toInt() <= asked[k].toInt());
            matchedCount += matched[k].toInt();
        }
        QVERIFY(std::abs(heldOutJson["class_match_share"].toDouble() - matchedCount / 6.0) < 1e-6);
        // The held-out digits' captions use the training captions' words only.
        QCOMPARE(heldOutJson["asked_with_seen_words"].toInt(-1), 6);
        QVERIFY(heldOutJson["seen_words_matched"].toInt(-1) == matchedCount);
        const double chance = heldOutJson["chance_match_share"].toDouble(-1);
        QVERIFY2(chance >= 0 && chance <= 1, qPrintable(heldOut.out));
        Run heldOutOfClasses = runDdpm({"eval", shipped, "--held-out-captions", "-n", "4", "--steps", "1"});
        QCOMPARE(heldOutOfClasses.exitCode, 2);
        QVERIFY2(heldOutOfClasses.err.contains("needs a text model"), qPrintable(heldOutOfClasses.err));
        QCOMPARE(runDdpm({"eval", model, "--held-out-captions", "--prompt", "a seven"}).exitCode, 2);

        Run probe = runDdpm({"eval", model, "--attributes", "1", "--steps", "2", "--threads", "1"});
        QVERIFY2(probe.exitCode == 0, qPrintable(probe.err));
        QVERIFY2(probe.out.contains("thickness") && probe.out.contains("of 10") &&
                     probe.out.contains("held out    'a thick seven' against 'a thin seven'"),
                 qPrintable(probe.out));
    }

    // A run through a frozen CLIP encoder (a small one in the Hugging Face layout): it trains,
    // says where its encoder is, samples a prompt, and a folder that is not one is named.
    void clipTextEndToEnd() {
        ddpm::test::writeTinyClipFolder(path("clip").toStdString());
        Run train = runDdpm({"train", "--data", "mnist", "--text", "clip:" + path("clip"), "--steps", "2", "--batch", "4",
                             "--base-channels", "8", "--groups", "4", "--channel-mults", "1,2", "--attention", "1",
                             "--threads", "1", "--save-every", "0", "--out", path("clip-run")});
        QVERIFY2(train.exitCode == 0, qPrintable(train.err));
        Run info = runDdpm({"info", path("clip-run/model.ckpt")});
        QVERIFY2(info.out.contains("prompts    CLIP text encoder (frozen) from " + path("clip") + ", 24 tokens"), qPrintable(info.out));
        Run sample = runDdpm({"sample", path("clip-run/model.ckpt"), "--steps", "2", "-n", "2", "--prompt",
                              QString::fromUtf8("a thick seven \xf0\x9f\x8d\x8e"), "--guidance", "2", "-o", path("clip.png")});
        QVERIFY2(sample.exitCode == 0, qPrintable(sample.err));
        QCOMPARE(pngSize(path("clip.png")), QSize(2 * 28 + 3 * 2, 28 + 2 * 2));
        Run tokens = runDdpm({"encode-text", "--text", path("clip-run/model.ckpt"), "--prompt", "a seven", "--tokens"});
        QVERIFY2(tokens.exitCode == 0, qPrintable(tokens.err));
        QCOMPARE(tokens.out.split(' ').size(), 4);   // start, a, seven, end
        Run width = runDdpm({"train", "--data", "mnist", "--text", "clip:" + path("clip"), "--text-width", "64", "--out", path("x")});
        QCOMPARE(width.exitCode, 2);
        QVERIFY2(width.err.contains("a CLIP encoder's size is its own"), qPrintable(width.err));
        Run notFolder = runDdpm({"encode-text", "--text", "clip:" + path("nowhere"), "--prompt", "a seven", "--tokens"});
        QCOMPARE(notFolder.exitCode, 1);
        QVERIFY2(notFolder.err.contains(path("nowhere") + ": not a folder"), qPrintable(notFolder.err));
    }

    void shippedModelSamplesDigits() {
        const QString model = qEnvironmentVariable("DDPM_STUDIO_DATA_DIR") + "/models/mnist-tiny.ckpt";
        Run info = runDdpm({"info", model});
        QCOMPARE(info.exitCode, 0);
        QVERIFY(info.out.contains("data       mnist (idx, 28x28x1)"));
        QVERIFY(info.out.contains("parameters 655649"));
        QVERIFY(info.out.contains("classes    10: 0 1 2 3 4 5 6 7 8 9"));   // the class-conditional recipe
        Run sample = runDdpm({"sample", model, "--steps", "5", "-n", "4", "-o", path("shipped.png")});
        QCOMPARE(sample.exitCode, 0);
        QCOMPARE(pngSize(path("shipped.png")), QSize(2 * 28 + 3 * 2, 2 * 28 + 3 * 2));
    }

    void evalPrintsJson() {
        const QString model = qEnvironmentVariable("DDPM_STUDIO_DATA_DIR") + "/models/mnist-tiny.ckpt";
        Run r = runDdpm({"eval", model, "-n", "16", "--steps", "3", "--json", "--threads", "1"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const char* key : {"fid", "kid", "kid_std", "n", "extractor", "confident_share", "class_match_share"})
            QVERIFY2(json.contains(key), key);
        QCOMPARE(json["n"].toInt(), 16);
        QCOMPARE(json["reference_n"].toInt(), 1000);
        QVERIFY(json["fid"].toDouble() > 0);
        QVERIFY(json["extractor"].toString().contains("mnist.classifier"));

        Run text = runDdpm({"eval", model, "-n", "8", "--steps", "2", "--threads", "1"});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("FID "));
        QVERIFY(text.out.contains("extractor   classifier"));

        // Given images: a folder that 'ddpm sample --each' wrote, scored against the held-out digits.
        Run each = runDdpm({"sample", model, "--steps", "2", "-n", "6", "--each", path("eval-each"), "-o", path("eval-each.png")});
        QCOMPARE(each.exitCode, 0);
        Run given = runDdpm({"eval", "--samples", path("eval-each"), "--data", "mnist", "--json", "--threads", "1"});
        QCOMPARE(given.exitCode, 0);
        const QJsonObject givenJson = QJsonDocument::fromJson(given.out.toUtf8()).object();
        QCOMPARE(givenJson["n"].toInt(), 6);
        QCOMPARE(givenJson["samples"].toString(), path("eval-each"));
        QVERIFY(givenJson.contains("confident_share") && !givenJson.contains("sampler"));
        QCOMPARE(runDdpm({"eval", "--samples", path("eval-each")}).exitCode, 2);            // no --data
        QCOMPARE(runDdpm({"eval", model, "--samples", path("eval-each")}).exitCode, 2);     // both
        QCOMPARE(runDdpm({"eval"}).exitCode, 2);                                         // neither

        Run noExtractor = runDdpm({"eval", model, "--features", path("none.pt"), "-n", "4"});
        QCOMPARE(noExtractor.exitCode, 1);
        QVERIFY(noExtractor.err.contains("none.pt: no such feature network file"));
        Run unlabelled = runDdpm({"train-classifier", "--data", "toy:moons", "-o", path("x.classifier")});
        QCOMPARE(unlabelled.exitCode, 1);
        QVERIFY(unlabelled.err.contains("needs images, not points"));
        Run missingOut = runDdpm({"train-classifier", "--data", "mnist"});
        QCOMPARE(missingOut.exitCode, 2);
    }

    void benchMeasuresInAChildProcess() {
        // The benchmark's building block: one measurement printed as "result KEY VALUE" lines.
        Run train = runDdpm({"bench", "--child", "train", "--model", "tiny", "--steps", "1", "--threads", "1"});
        QCOMPARE(train.exitCode, 0);
        QVERIFY(train.out.contains("result images_per_s "));
        // tiny's forward pass: about 0.1 GFLOP per 28x28 digit (well above 0, well below 1).
        const auto line = train.out.split('\n').filter("forward_macs_per_image").value(0).split(' ');
        const double macs = line.value(2).toDouble();
        QVERIFY2(macs > 1e7 && macs < 1e9, qPrintable(line.join(' ')));
        Run bad = runDdpm({"bench", "--child", "nonsense"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("unknown measurement 'nonsense'"));
    }

    void noiseStripAndImageSamples() {
        Run noise = runDdpm({"noise", "--data", "mnist", "--index", "3", "--t", "0,500,999", "-o", path("strip.png")});
        QCOMPARE(noise.exitCode, 0);
        QCOMPARE(pngSize(path("strip.png")), QSize(3 * 28 + 4 * 2, 28 + 2 * 2));
        QCOMPARE(ddpm::readPngText(path("strip.png").toStdString()).at("ddpm:t"), std::string("0,500,999"));

        Run train = runDdpm({"train", "--data", "mnist", "--steps", "2", "--batch", "4", "--base-channels", "8",
                          "--groups", "4", "--out", path("digits"), "--save-every", "0"});
        QCOMPARE(train.exitCode, 0);
        Run sample = runDdpm({"sample", path("digits/model.ckpt"), "--steps", "3", "-n", "4", "-o", path("grid.png"),
                           "--each", path("each")});
        QCOMPARE(sample.exitCode, 0);
        QCOMPARE(pngSize(path("grid.png")), QSize(2 * 28 + 3 * 2, 2 * 28 + 3 * 2));
        QCOMPARE(ddpm::readPngText(path("grid.png").toStdString()).at("ddpm:sampler"), std::string("ddim"));
        QCOMPARE(pngSize(path("each/00003.png")), QSize(28, 28));
        QVERIFY(!QFile::exists(path("each/00004.png")));
    }

    void exportWritesCheckpointWeightsAsSafetensors() {
        const QString model = qEnvironmentVariable("DDPM_STUDIO_DATA_DIR") + "/models/mnist-tiny.ckpt";
        Run ema = runDdpm({"export", model, "--format", "safetensors", "-o", path("ema.safetensors")});
        QCOMPARE(ema.exitCode, 0);
        Run raw = runDdpm({"export", model, "--weights", "model", "-o", path("model.safetensors")});
        QCOMPARE(raw.exitCode, 0);

        const auto checkpoint = ddpm::loadCheckpoint(model.toStdString(), torch::kCPU);
        const auto emaFile = ddpm::test::readSafetensors(path("ema.safetensors").toStdString());
        const auto rawFile = ddpm::test::readSafetensors(path("model.safetensors").toStdString());
        const auto expectWeights = [](const ddpm::test::SafetensorsContents& file, const ddpm::Denoiser& module) {
            const auto params = module.named_parameters();
            QCOMPARE(file.tensors.size(), params.size() + module.named_buffers().size());
            for (const auto& p : params) {
                const std::vector<float> values = ddpm::test::floatValues(file, p.key());
                const auto expected = p.value().contiguous();
                QCOMPARE(file.tensors.at(p.key()).shape, expected.sizes().vec());
                QVERIFY2(std::equal(values.begin(), values.end(), expected.data_ptr<float>()), p.key().c_str());
            }
        };
        expectWeights(emaFile, *checkpoint.ema);
        expectWeights(rawFile, *checkpoint.model);
        if (QTest::currentTestFailed()) return;
        QVERIFY(emaFile.data != rawFile.data);

        // The metadata holds the run configuration entry by entry: it rebuilds the checkpoint's.
        QCOMPARE(emaFile.metadata.at("ddpm.weights"), std::string("ema"));
        QCOMPARE(rawFile.metadata.at("ddpm.weights"), std::string("model"));
        QCOMPARE(emaFile.metadata.at("ddpm.step"), std::to_string(checkpoint.progress.step));
        std::string configText;
        for (const auto& line : QString::fromStdString(checkpoint.config.serialize()).split('\n', Qt::SkipEmptyParts)) {
            const std::string key = line.section(" = ", 0, 0).toStdString();
            configText += key + " = " + emaFile.metadata.at("run." + key) + "\n";
        }
        QCOMPARE(configText, checkpoint.config.serialize());

        // ddpm import is the inverse: the shipped model comes back as a checkpoint with the same EMA weights.
        Run imported = runDdpm({"import", path("ema.safetensors"), "-o", path("imported.ckpt")});
        QCOMPARE(imported.exitCode, 0);
        QVERIFY2(imported.out.contains("step " + QString::number(checkpoint.progress.step)), qPrintable(imported.out));
        const auto back = ddpm::loadCheckpoint(path("imported.ckpt").toStdString(), torch::kCPU);
        for (const auto& p : back.ema->named_parameters())
            QVERIFY(torch::equal(p.value(), checkpoint.ema->named_parameters()[p.key()]));
        Run importNothing = runDdpm({"import", model, "-o", path("x.ckpt")});
        QCOMPARE(importNothing.exitCode, 1);
        QVERIFY2(importNothing.err.contains("mnist-tiny.ckpt"), qPrintable(importNothing.err));

        Run notCheckpoint = runDdpm({"export", QStringLiteral(DDPM_CLI_PATH), "-o", path("x.safetensors")});
        QCOMPARE(notCheckpoint.exitCode, 1);
        QVERIFY(notCheckpoint.err.contains("not a DDPM Studio checkpoint"));
        Run noFolder = runDdpm({"export", model, "-o", path("missing/x.safetensors")});
        QCOMPARE(noFolder.exitCode, 1);
        QVERIFY(noFolder.err.contains("missing/x.safetensors: cannot write: folder"));
        Run badFormat = runDdpm({"export", model, "--format", "onnx", "-o", path("x.onnx")});
        QCOMPARE(badFormat.exitCode, 2);
        QVERIFY(badFormat.err.contains("--format must be one of safetensors"));
        QVERIFY(!QFile::exists(path("x.safetensors")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
