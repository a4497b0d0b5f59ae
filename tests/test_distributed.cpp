// Data-parallel training over c10d, end to end through the ddpm tool: two and three
// processes on loopback against one, resume on another number of processes, rank 0
// alone writing, a --minutes horizon, and the faults (a rank killed, a wrong port, a
// port in use, a rank that never comes), each ending every other rank with an error.
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <torch/torch.h>

#include "training/Checkpoint.h"
#include "training/MetricsFile.h"

using namespace ddpm;

namespace {

constexpr int kTimeoutMs = 240000;

// A small run every test trains: the MLP on the moons in fp32, so that sums in another
// order differ only by rounding; a constant learning rate after warm-up, so that a run
// resumed with a longer horizon keeps the schedule of one trained to it at once.
QStringList pointsRun(const QString& out, int steps) {
    return {"train", "--data", "toy:moons", "--preset", "mlp", "--batch", "32", "--steps", QString::number(steps),
            "--precision", "fp32", "--lr-decay", "constant", "--seed", "3", "--save-every", "0", "--threads", "1",
            "--out", out};
}

struct Finished {
    int exitCode = -1;   // -1: killed, crashed or timed out
    QString err;
};

Finished runDdpm(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(DDPM_CLI_PATH), args);
    if (!p.waitForFinished(kTimeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, "timed out"};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardError())};
}

// The torchrun variables of one rank.
QProcessEnvironment rankEnvironment(int rank, int worldSize, int port) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(worldSize));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    return env;
}

// A socket listening on a free loopback port, for as long as it lives.
class ListeningSocket {
public:
    ListeningSocket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 && ::listen(fd_, 4) == 0 &&
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0)
            port_ = ntohs(address.sin_port);
    }
    ~ListeningSocket() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_, port_ = 0;
};

// A port nobody listens on now.
int freePort() { return ListeningSocket().port(); }

std::vector<double> losses(const QString& folder) {
    std::vector<double> out;
    for (const MetricsRow& row : readMetricsRows((folder + "/metrics.csv").toStdString())) out.push_back(row.loss);
    return out;
}

// The largest difference between two checkpoints' weights (model and EMA).
double weightDifference(const QString& a, const QString& b) {
    const CheckpointContents x = loadCheckpoint((a + "/model.ckpt").toStdString(), torch::kCPU);
    const CheckpointContents y = loadCheckpoint((b + "/model.ckpt").toStdString(), torch::kCPU);
    double largest = 0;
    for (auto [p, q] : {std::make_pair(x.model, y.model), std::make_pair(x.ema, y.ema)}) {
        const auto ps = p->parameters(), qs = q->parameters();
        if (ps.size() != qs.size()) return INFINITY;
        for (size_t i = 0; i < ps.size(); ++i) largest = std::max(largest, (ps[i] - qs[i]).abs().max().item<double>());
    }
    return largest;
}

void compareRuns(const QString& one, const QString& several) {
    const auto a = losses(one), b = losses(several);
    QCOMPARE(a.size(), b.size());
    double largest = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        largest = std::max(largest, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(a[i])));
        QVERIFY2(std::abs(a[i] - b[i]) <= 1e-4 * std::max(1.0, std::abs(a[i])),
                 qPrintable(QString("step %1: loss %2 against %3").arg(i + 1).arg(a[i]).arg(b[i])));
    }
    const double difference = weightDifference(one, several);
    qInfo("losses differ by at most %.3g (relative), weights by %.3g", largest, difference);
    QVERIFY2(difference < 1e-4, qPrintable(QString("weights differ by %1").arg(difference)));
}

}  // namespace

class TestDistributed : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    // 2 processes × 16 against 1 × 32 over 200 steps: the same losses and weights; and
    // the run folder is a single run's, with the world size in metrics.csv.
    void twoProcessesTrainAsOne() {
        const Finished one = runDdpm(pointsRun(path("one"), 200));
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Finished two = runDdpm(pointsRun(path("two"), 200) << "--nproc" << "2");
        QVERIFY2(two.exitCode == 0, qPrintable(two.err));
        QVERIFY2(two.err.contains("data parallel: 2 processes (gloo), batch 32 split 16+16"), qPrintable(two.err));
        compareRuns(path("one"), path("two"));
        const auto rows = readMetricsRows(path("two/metrics.csv").toStdString());
        QCOMPARE(rows.size(), size_t(200));
        QCOMPARE(rows.back().extra, std::vector<double>{2});
        QCOMPARE(QDir(path("two")).entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name),
                 QDir(path("one")).entryList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name));
    }

    // A U-Net (convolutions, GroupNorm, attention, class labels with dropout to the null
    // class) on three processes, a batch that does not divide: 10+11+11.
    void threeProcessesTrainAUNetAsOne() {
        const QStringList run = {"train", "--data", "mnist", "--preset", "tiny", "--base-channels", "8", "--batch", "32",
                                 "--steps", "6", "--precision", "fp32", "--save-every", "0", "--threads", "1"};
        const Finished one = runDdpm(QStringList(run) << "--out" << path("unet-one"));
        QVERIFY2(one.exitCode == 0, qPrintable(one.err));
        const Finished three = runDdpm(QStringList(run) << "--out" << path("unet-three") << "--nproc" << "3");
        QVERIFY2(three.exitCode == 0, qPrintable(three.err));
        QVERIFY2(three.err.contains("batch 32 split 10+11+11"), qPrintable(three.err));
        compareRuns(path("unet-one"), path("unet-three"));
    }

    // 150 steps on 2 processes, then resumed on 3 to step 200: the uninterrupted single run.
    void resumesOnAnotherNumberOfProcesses() {
        if (!QFile::exists(path("one/model.ckpt"))) QSKIP("needs twoProcessesTrainAsOne's single run");
        const Finished first = runDdpm(pointsRun(path("resumed"), 150) << "--nproc" << "2");
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const Finished rest = runDdpm({"train", "--data", "toy:moons", "--resume", path("resumed/model.ckpt"), "--steps",
                                       "50", "--threads", "1", "--save-every", "0", "--out", path("resumed"), "--nproc", "3"});
        QVERIFY2(rest.exitCode == 0, qPrintable(rest.err));
        QVERIFY2(rest.err.contains("3 processes (gloo), batch 32 split 10+11+11, from step 150"), qPrintable(rest.err));
        compareRuns(path("one"), path("resumed"));
    }

    // A --minutes horizon: rank 0's clock decides, every rank stops after the same step.
    void aTimeHorizonEndsEveryRankOnTheSameStep() {
        QStringList run = pointsRun(path("minutes"), 1);
        run.replace(run.indexOf("--steps") + 1, "0.05");
        run.replace(run.indexOf("--steps"), "--minutes");
        const Finished r = runDdpm(run << "--nproc" << "2");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto rows = readMetricsRows(path("minutes/metrics.csv").toStdString());
        QVERIFY(rows.size() > 10);
        QCOMPARE(loadCheckpoint(path("minutes/model.ckpt").toStdString(), torch::kCPU).progress.step, rows.back().step);
    }

    // Ranks started by hand with the torchrun variables: rank 1 writes nothing into its own
    // --out; then rank 1 killed with SIGKILL: rank 0 stops with an error within the timeout,
    // its last checkpoint intact.
    void rankZeroAloneWritesAndAKilledRankStopsTheOthers() {
        const int port = freePort();
        QStringList run = pointsRun(path("by-hand"), 1000000);
        run << "--dist-timeout" << "20" << "--save-every" << "50";
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        rank0.start(QStringLiteral(DDPM_CLI_PATH), run);
        QStringList other = run;
        other.replace(other.indexOf(path("by-hand")), path("by-hand-rank1"));
        rank1.start(QStringLiteral(DDPM_CLI_PATH), other);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(path("by-hand/checkpoints/step-000100.ckpt")), kTimeoutMs);
        QVERIFY(!QDir(path("by-hand-rank1")).exists());

        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(rank1.processId()), SIGKILL);
        QVERIFY(rank0.waitForFinished(60000));
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
        rank1.waitForFinished();
        QCOMPARE(rank0.exitStatus(), QProcess::NormalExit);
        QCOMPARE(rank0.exitCode(), 1);
        const QString err = QString::fromUtf8(rank0.readAllStandardError());
        QVERIFY2(err.contains("ddpm: error: rank 0 of 2: "), qPrintable(err));
        QVERIFY(loadCheckpoint(path("by-hand/model.ckpt").toStdString(), torch::kCPU).progress.step >= 50);
    }

    // Ranks that would train different runs (here: another seed, so other starting
    // weights) stop at the start, each saying what differs.
    void ranksOfDifferentRunsRefuseToStart() {
        const int port = freePort();
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        QStringList run = pointsRun(path("seeds"), 5) << "--dist-timeout" << "20";
        rank0.start(QStringLiteral(DDPM_CLI_PATH), run);
        run.replace(run.indexOf("--seed") + 1, "4");
        rank1.start(QStringLiteral(DDPM_CLI_PATH), run);
        QVERIFY(rank0.waitForFinished(kTimeoutMs) && rank1.waitForFinished(kTimeoutMs));
        for (QProcess* rank : {&rank0, &rank1}) {
            QCOMPARE(rank->exitCode(), 1);
            const QString err = QString::fromUtf8(rank->readAllStandardError());
            QVERIFY2(err.contains("the starting weights (other options or checkpoints?) differ between the ranks"), qPrintable(err));
        }
        QVERIFY(!QFile::exists(path("seeds/model.ckpt")));
    }

    // The launcher reports a rank that died and returns an error.
    void theLauncherNamesARankThatFailed() {
        // Rank 1 cannot read its data: a folder only rank 0 sees is impossible by hand, so give a
        // batch too small to split instead (the check runs on every rank).
        const Finished r = runDdpm({"train", "--data", "toy:moons", "--batch", "2", "--steps", "5", "--threads", "1",
                                    "--out", path("split"), "--nproc", "3", "--dist-timeout", "20"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("a batch of 2 cannot be split over 3 processes"), qPrintable(r.err));
        QVERIFY2(r.err.contains("ddpm train: rank 0 of 3 exited with status 1"), qPrintable(r.err));
    }

    // Faults at the rendezvous, each an error within the timeout naming where: no rank 0
    // at MASTER_PORT, a port another program holds, a rank that never comes.
    void rendezvousFaultsAreErrorsWithinTheTimeout() {
        QElapsedTimer clock;
        const QStringList run = pointsRun(path("rendezvous"), 5) << "--dist-timeout" << "3";
        clock.start();
        const int nobody = freePort();
        const Finished lonely = runDdpm(run, rankEnvironment(1, 2, nobody));
        QCOMPARE(lonely.exitCode, 1);
        QVERIFY2(lonely.err.contains("rank 1 of 2: cannot reach the rendezvous at 127.0.0.1:" + QString::number(nobody)),
                 qPrintable(lonely.err));

        const ListeningSocket holder;
        QVERIFY(holder.port() > 0);
        const Finished taken = runDdpm(run, rankEnvironment(0, 2, holder.port()));
        QCOMPARE(taken.exitCode, 1);
        QVERIFY2(taken.err.contains("rank 0 of 2: cannot listen on 127.0.0.1:" + QString::number(holder.port())),
                 qPrintable(taken.err));

        const Finished waiting = runDdpm(run, rankEnvironment(0, 2, freePort()));
        QCOMPARE(waiting.exitCode, 1);
        QVERIFY2(waiting.err.contains("rank 0 of 2: the other ranks did not all join"), qPrintable(waiting.err));
        QVERIFY2(clock.elapsed() < 60000, qPrintable(QString::number(clock.elapsed())));

        QProcessEnvironment bad = rankEnvironment(0, 2, freePort());
        bad.insert("RANK", "2");
        const Finished wrongRank = runDdpm(run, bad);
        QCOMPARE(wrongRank.exitCode, 1);
        QVERIFY2(wrongRank.err.contains("RANK='2' is not a whole number in 0…1"), qPrintable(wrongRank.err));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
