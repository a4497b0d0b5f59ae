// The main window's Dataset view: built-in mnist on first launch, drag and drop
// of a generated image folder (loaded off the GUI thread), errors shown with the
// previous dataset kept, cancel, choosing a thumbnail, the toy scatter plot and
// the recent list. Runs headless (QT_QPA_PLATFORM=offscreen).
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QProgressBar>
#include <QScrollBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "MainWindow.h"
#include "RecentDatasets.h"
#include "StudioSettings.h"
#include "common/ArgumentPath.h"
#include "dataset/ChosenImagePanel.h"
#include "dataset/DatasetView.h"
#include "dataset/PointCloudPlot.h"
#include "dataset/ThumbnailModel.h"
#include "util/ResourcePaths.h"

namespace fs = std::filesystem;
using namespace ddpm::ui;

namespace {

// Whether process `pid` has a handler for SIGTERM yet (Linux: SigCgt in /proc/PID/status).
bool catchesSigterm(qint64 pid) {
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly)) return false;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("SigCgt:")) return (line.mid(7).trimmed().toULongLong(nullptr, 16) >> (SIGTERM - 1)) & 1;
    return false;
}

constexpr int kLoadTimeoutMs = 30000;

// A folder of PNGs with one sub-folder per class: {class name, image count}.
QString writeImageFolder(const QString& root, const QString& name,
                         const std::vector<std::pair<std::string, int>>& classes) {
    const fs::path folder = fs::path(root.toStdString()) / name.toStdString();
    int n = 0;
    for (const auto& [className, count] : classes) {
        fs::create_directories(folder / className);
        for (int i = 0; i < count; ++i, ++n) {
            const cv::Mat image(40, 48, CV_8UC3, cv::Scalar(20 * n % 256, 100, 255 - 30 * n % 256));
            const fs::path file = folder / className / ("img" + std::to_string(i) + ".png");
            if (!cv::imwrite(file.string(), image)) qFatal("cannot write %s", file.c_str());
        }
    }
    return QString::fromStdString(folder.string());
}

// What a file manager does when a folder is dropped on the window.
bool dragAndDrop(QWidget* target, const QMimeData& mime) {
    const QPoint at = target->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &enter);
    if (!enter.isAccepted()) return false;
    QDropEvent drop(QPointF(at), Qt::CopyAction | Qt::LinkAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

bool dropPath(QWidget* target, const QString& path) {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    return dragAndDrop(target, mime);
}

QString labelText(const QWidget& window, const char* objectName) {
    const auto* label = window.findChild<QLabel*>(objectName);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(objectName);
}

QString images(qlonglong n) { return QStringLiteral("%1 images").arg(QLocale().toString(n)); }

}  // namespace

class TestDatasetView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settingsDir_;
    QTemporaryDir dataDir_;

    // Loads the built-in mnist and waits until the grid has it.
    static bool loadMnist(MainWindow& window) {
        window.openDefaultDataset();
        return QTest::qWaitFor([&] { return window.datasetView()->thumbnailModel()->rowCount() == 10000; },
                               kLoadTimeoutMs);
    }

private slots:
    void initTestCase() {
        QVERIFY(settingsDir_.isValid());
        QVERIFY(dataDir_.isValid());
        // Never touch the real user's settings.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
    }

    void init() { QSettings(kOrganizationName, kApplicationName).clear(); }

    void firstLaunchShowsBuiltinMnist() {
        MainWindow window;
        QVERIFY(window.tabs()->count() >= 1);   // the Dataset tab first, the later stages after it
        QCOMPARE(window.tabs()->tabText(0), QString("Dataset"));
        QSignalSpy chosen(window.datasetView(), &DatasetView::chosenImageChanged);
        window.openDefaultDataset();

        QTRY_COMPARE_WITH_TIMEOUT(window.datasetView()->thumbnailModel()->rowCount(), 10000, kLoadTimeoutMs);
        QCOMPARE(QString::fromStdString(window.datasetView()->dataset()->name), QString("mnist"));
        QCOMPARE(window.datasetView()->chosenImage(), 0);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toInt(), 0);
        QCOMPARE(labelText(window, "summaryCount"), images(10000));
        QCOMPARE(labelText(window, "summaryResolution"), QString("28 × 28 × 1"));
        QCOMPARE(labelText(window, "summarySplit"),
                 QString("%1 train, %2 held out").arg(QLocale().toString(9000), QLocale().toString(1000)));
        QCOMPARE(window.findChild<QTreeWidget*>("summaryClasses")->topLevelItemCount(), 10);
        QVERIFY(window.findChild<ChosenImagePanel*>()->caption().startsWith("#0 · class "));
        // A thumbnail is a real picture of the image, with a tooltip that says what it is.
        const QModelIndex first = window.datasetView()->thumbnailModel()->index(0);
        const QPixmap thumbnail = first.data(Qt::DecorationRole).value<QPixmap>();
        QCOMPARE(thumbnail.size(), QSize(56, 56));
        QVERIFY(first.data(Qt::ToolTipRole).toString().contains("· train\n“a "));   // with its generated caption
        QVERIFY(window.datasetView()->thumbnailModel()->index(9999).data(Qt::ToolTipRole).toString().contains(
            "· held out\n“a"));
        // Built-in names are not "recent paths".
        QVERIFY(window.recentDatasets()->paths().isEmpty());
    }

    void droppedFolderLoadsOffTheGuiThread() {
        const QString folder = writeImageFolder(dataDir_.path(), "shapes", {{"circle", 3}, {"square", 2}});
        MainWindow window;
        std::atomic<int> callsOnWorker{0}, callsOnGui{0};
        ddpm::LoadOptions options;
        options.progress = [&](int64_t, int64_t) {
            (QThread::currentThread() != qApp->thread() ? callsOnWorker : callsOnGui)++;
            return true;
        };
        window.datasetView()->setLoadOptions(options);
        QSignalSpy changed(window.datasetView(), &DatasetView::datasetChanged);

        QVERIFY(dropPath(&window, folder));

        QTRY_COMPARE_WITH_TIMEOUT(window.datasetView()->thumbnailModel()->rowCount(), 5, kLoadTimeoutMs);
        QCOMPARE(changed.count(), 1);
        QVERIFY(callsOnWorker > 0);
        QCOMPARE(int(callsOnGui), 0);
        QCOMPARE(labelText(window, "summaryCount"), images(5));
        QCOMPARE(labelText(window, "summaryName"), QString("shapes"));
        QCOMPARE(labelText(window, "summaryFormat"), QString("image-folder"));
        QCOMPARE(labelText(window, "summaryResolution"), QString("64 × 64 × 3"));
        const auto* classes = window.findChild<QTreeWidget*>("summaryClasses");
        QCOMPARE(classes->topLevelItemCount(), 2);
        QCOMPARE(classes->topLevelItem(0)->text(0), QString("circle"));
        QCOMPARE(classes->topLevelItem(0)->text(1), QString("3"));
        QCOMPARE(classes->topLevelItem(1)->text(0), QString("square"));
        QCOMPARE(classes->topLevelItem(1)->text(1), QString("2"));
        QCOMPARE(window.datasetView()->chosenImage(), 0);
        QCOMPARE(window.recentDatasets()->paths().value(0), folder);
    }

    // ddpm-studio PATH with a folder name that is not UTF-8 (Latin-1 "café"): it opens.
    void nonUtf8FolderNamesOpen() {
        const QString utf8 = writeImageFolder(dataDir_.path(), "plain", {{"a", 1}});
        QCOMPARE(argumentPath(QFile::encodeName(utf8)), utf8);   // unchanged when it decodes

        const std::string latin1 = dataDir_.path().toStdString() + "/caf\xe9";
        fs::rename(writeImageFolder(dataDir_.path(), "latin1", {{"circle", 2}, {"square", 1}}).toStdString(), latin1);
        const QString path = argumentPath(QByteArray::fromStdString(latin1));
        QVERIFY2(QFileInfo(path).isDir(), qPrintable(path));
        QCOMPARE(QFileInfo(path).fileName(), QString("caf?"));
        MainWindow window;
        window.openDataset(path);
        QTRY_COMPARE_WITH_TIMEOUT(window.datasetView()->thumbnailModel()->rowCount(), 3, kLoadTimeoutMs);
        QCOMPARE(labelText(window, "summaryName"), QString("caf?"));
    }

    // ddpm-studio PATH with what users mistype or mis-drop: the app starts, says what is
    // wrong, keeps running, and quits cleanly on SIGTERM.
    void commandLinePathsThatAreBadOpenWithoutACrash() {
        const QString pipe = dataDir_.filePath("pipe.png");
        QVERIFY(::mkfifo(QFile::encodeName(pipe).constData(), 0600) == 0);
        const QString garbage = dataDir_.filePath("garbage.npy");
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x93NUMPY not really");
        file.close();
        for (const QString& bad : {dataDir_.filePath("missing"), pipe, garbage, QString("toy:nothing"), QString("")}) {
            QProcess app;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("QT_QPA_PLATFORM", "offscreen");
            env.insert("HOME", dataDir_.filePath("home"));   // its own settings: no resume offer from other tests
            app.setProcessEnvironment(env);
            app.start(QStringLiteral(DDPM_STUDIO_PATH), {bad});
            QVERIFY(app.waitForStarted());
            // Up (its SIGTERM handler in place, however loaded the machine), then a while to open the path.
            QTRY_VERIFY_WITH_TIMEOUT(catchesSigterm(app.processId()) || app.state() != QProcess::Running, 30000);
            QTest::qWait(1000);
            QVERIFY2(app.state() == QProcess::Running, qPrintable(bad + ": " + app.readAllStandardError()));
            ::kill(pid_t(app.processId()), SIGTERM);
            QVERIFY(app.waitForFinished(30000));
            QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                     qPrintable(bad + ": exit " + QString::number(app.exitCode()) + ": " + app.readAllStandardError()));
        }
    }

    // A termination signal while the launch asks whether to resume an interrupted run: the app
    // quits at once and the run is offered again at the next launch.
    void terminationSignalEndsTheOfferToResume() {
        const QString home = dataDir_.filePath("home-interrupted");
        const QString run = dataDir_.filePath("interrupted-run");
        QVERIFY(QDir().mkpath(run));
        QVERIFY(QFile::copy(QString::fromStdString(ddpm::findResource("models/mnist-tiny.ckpt").string()),
                            QDir(run).filePath("model.ckpt")));
        const QString config = home + "/.config/" + kOrganizationName + "/" + kApplicationName + ".conf";
        {
            QSettings note(config, QSettings::IniFormat);   // what noteRunInProgress leaves there
            note.setValue("training/runInProgress", run);
            note.setValue("training/runInProgressDataset", "toy:moons");
        }
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("HOME", home);
        env.insert("XDG_CONFIG_HOME", home + "/.config");
        app.setProcessEnvironment(env);
        app.start(QStringLiteral(DDPM_STUDIO_PATH), {"toy:moons"});
        QVERIFY(app.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(catchesSigterm(app.processId()) || app.state() != QProcess::Running, 30000);
        QTest::qWait(1500);   // the offer is up
        QVERIFY2(app.state() == QProcess::Running, app.readAllStandardError().constData());
        ::kill(pid_t(app.processId()), SIGTERM);
        QVERIFY2(app.waitForFinished(30000), "the signal was lost while the offer was open");
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, app.readAllStandardError().constData());
        QCOMPARE(QSettings(config, QSettings::IniFormat).value("training/runInProgress").toString(), run);
    }

    void dragOfNonFilesIsRefused() {
        MainWindow window;
        QMimeData text;
        text.setText("mnist");
        QVERIFY(!dragAndDrop(&window, text));
        QMimeData web;
        web.setUrls({QUrl("https://example.org/data.zip")});
        QVERIFY(!dragAndDrop(&window, web));
        QVERIFY(!window.datasetView()->isLoading());
    }

    void emptyFolderShowsTheErrorAndKeepsThePreviousDataset() {
        MainWindow window;
        QVERIFY(loadMnist(window));
        const QString empty = QDir(dataDir_.path()).filePath("nothing-here");
        QVERIFY(QDir().mkpath(empty));
        QSignalSpy failed(window.datasetView(), &DatasetView::loadFailed);

        QVERIFY(dropPath(&window, empty));

        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kLoadTimeoutMs);
        const QString message = labelText(window, "loadMessage");
        QVERIFY2(message.contains(empty), qPrintable(message));
        QVERIFY2(message.contains("folder is empty"), qPrintable(message));
        QVERIFY(window.findChild<QWidget*>("loadStatusBar")->isVisibleTo(&window));
        QCOMPARE(QString::fromStdString(window.datasetView()->dataset()->name), QString("mnist"));
        QCOMPARE(window.datasetView()->thumbnailModel()->rowCount(), 10000);
        QCOMPARE(labelText(window, "summaryName"), QString("mnist"));
        QVERIFY(!window.recentDatasets()->paths().contains(empty));
    }

    void cancelStopsTheLoadAndKeepsThePreviousDataset() {
        const QString folder = writeImageFolder(dataDir_.path(), "slow", {{"a", 12}, {"b", 12}});
        MainWindow window;
        window.show();
        QVERIFY(loadMnist(window));
        // The loader's first progress call waits until the test has pressed Cancel.
        std::atomic<bool> loaderRunning{false}, cancelPressed{false};
        ddpm::LoadOptions options;
        options.progress = [&](int64_t, int64_t) {
            loaderRunning = true;
            for (int i = 0; i < 500 && !cancelPressed; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return true;
        };
        window.datasetView()->setLoadOptions(options);
        QSignalSpy cancelled(window.datasetView(), &DatasetView::loadCancelled);
        QSignalSpy changed(window.datasetView(), &DatasetView::datasetChanged);

        window.openDataset(folder);
        QTRY_VERIFY_WITH_TIMEOUT(loaderRunning, kLoadTimeoutMs);
        auto* cancel = window.findChild<QPushButton*>("loadCancel");
        QVERIFY(cancel->isVisible());
        QVERIFY(window.findChild<QProgressBar*>("loadProgress")->isVisible());
        QVERIFY(window.datasetView()->isLoading());
        QTest::mouseClick(cancel, Qt::LeftButton);
        cancelPressed = true;

        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kLoadTimeoutMs);
        QCOMPARE(changed.count(), 0);
        QVERIFY(!window.datasetView()->isLoading());
        QVERIFY(labelText(window, "loadMessage").contains("cancelled"));
        QVERIFY(!window.findChild<QProgressBar*>("loadProgress")->isVisible());
        QCOMPARE(QString::fromStdString(window.datasetView()->dataset()->name), QString("mnist"));
        QCOMPARE(window.datasetView()->thumbnailModel()->rowCount(), 10000);
    }

    void clickingAThumbnailChoosesIt() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(loadMnist(window));
        auto* grid = window.findChild<QListView*>("thumbnailGrid");
        const QModelIndex third = grid->model()->index(3, 0);
        QTRY_VERIFY(grid->visualRect(third).isValid() && grid->viewport()->rect().contains(grid->visualRect(third)));
        QSignalSpy chosen(window.datasetView(), &DatasetView::chosenImageChanged);

        QTest::mouseClick(grid->viewport(), Qt::LeftButton, Qt::NoModifier, grid->visualRect(third).center());

        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toInt(), 3);
        QCOMPARE(window.datasetView()->chosenImage(), 3);
        QVERIFY(window.findChild<ChosenImagePanel*>()->caption().startsWith("#3 · class "));
        // The keyboard moves the choice too; choosing in code moves the grid.
        QTest::keyClick(grid, Qt::Key_Right);
        QCOMPARE(chosen.count(), 2);
        QCOMPARE(chosen.at(1).at(0).toInt(), 4);
        window.datasetView()->chooseImage(7);
        QCOMPARE(grid->currentIndex().row(), 7);
        QCOMPARE(chosen.count(), 3);
    }

    void toyDatasetShowsAScatterPlot() {
        MainWindow window;
        window.show();
        QSignalSpy chosen(window.datasetView(), &DatasetView::chosenImageChanged);
        window.openDataset("toy:gmm8");

        QTRY_VERIFY_WITH_TIMEOUT(window.datasetView()->dataset() != nullptr, kLoadTimeoutMs);
        auto* plot = window.findChild<PointCloudPlot*>();
        QVERIFY(plot->isVisible());
        QVERIFY(!window.findChild<QListView*>("thumbnailGrid")->isVisible());
        QCOMPARE(plot->pointCount(), 10000);
        QCOMPARE(plot->graphCount(), 8);   // one colour per mode
        QCOMPARE(window.datasetView()->thumbnailModel()->rowCount(), 0);
        QCOMPARE(window.datasetView()->chosenImage(), -1);
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toInt(), -1);
        QCOMPARE(labelText(window, "summaryCount"), QString("%1 points").arg(QLocale().toString(10000)));
    }

    void largeDatasetLoadsAndScrollsToTheEnd() {
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist")) QSKIP("dataset-fashion-mnist is not installed");
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // A timer that should tick every 5 ms: the longest gap is the longest freeze (reported).
        QElapsedTimer clock;
        qint64 lastTick = 0, longestFreeze = 0;
        QTimer ticker;
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, [&] {
            longestFreeze = std::max(longestFreeze, clock.elapsed() - lastTick);
            lastTick = clock.elapsed();
        });
        clock.start();
        ticker.start();

        window.openDataset("fashion-mnist");
        QTRY_COMPARE_WITH_TIMEOUT(window.datasetView()->thumbnailModel()->rowCount(), 70000, 60000);
        auto* grid = window.findChild<QListView*>("thumbnailGrid");
        const QModelIndex last = grid->model()->index(69999, 0);
        // Scroll to the end (the grid lays out in batches: keep asking until it is there).
        const bool reachedTheEnd = QTest::qWaitFor([&] {
            grid->scrollTo(last);
            return grid->viewport()->rect().intersects(grid->visualRect(last));
        }, 10000);
        QVERIFY(reachedTheEnd);
        // The stall is a benchmark figure, not a pass/fail timing: reported only.
        qInfo() << "longest freeze of the GUI thread:" << longestFreeze << "ms";
    }

    void recentPathsSurviveARestart() {
        const QString folder = writeImageFolder(dataDir_.path(), "recent", {{"x", 2}});
        {
            MainWindow window;
            window.openDataset(folder);
            QTRY_COMPARE_WITH_TIMEOUT(window.datasetView()->thumbnailModel()->rowCount(), 2, kLoadTimeoutMs);
        }
        MainWindow restarted;
        QCOMPARE(restarted.recentDatasets()->paths(), QStringList{folder});
        auto* menu = restarted.findChild<QMenu*>("menuOpenRecent");
        QVERIFY(menu);
        QAction* entry = menu->actions().value(0);
        QVERIFY(entry);
        QCOMPARE(entry->data().toString(), folder);
        QCOMPARE(restarted.findChild<QListWidget*>("recentDatasets")->item(0)->toolTip(),
                 QDir::toNativeSeparators(folder));
        entry->trigger();   // File > Open recent > 1 loads it again
        QTRY_COMPARE_WITH_TIMEOUT(restarted.datasetView()->thumbnailModel()->rowCount(), 2, kLoadTimeoutMs);
    }
};

QTEST_MAIN(TestDatasetView)
#include "test_dataset_view.moc"
