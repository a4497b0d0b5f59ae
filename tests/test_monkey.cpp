// A monkey test: random clicks, keys, value changes, tab switches, menu actions
// and drops of good and bad files on the whole window while it trains, samples
// and evaluates. Every dialog that opens is answered at random (as a person
// would, eventually). Passes when nothing crashes, the GUI thread never freezes
// (its longest stall is printed) and the window still closes cleanly.
//   DDPM_MONKEY_ACTIONS (default 250) and DDPM_MONKEY_SEED (default: the clock)
// make it longer or repeatable; tests/monkey.sh runs it long under Xvfb.
#include <QAbstractButton>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <random>

#include "MainWindow.h"
#include "StudioSettings.h"
#include "data/DatasetLoader.h"
#include "training/TrainSettingsPanel.h"
#include "training/TrainView.h"
#include "util/ResourcePaths.h"

using namespace ddpm::ui;

namespace {

// Measures the longest gap between ticks of a 10 ms timer on the GUI thread.
class StallMeter : public QObject {
public:
    StallMeter() {
        clock_.start();
        connect(&timer_, &QTimer::timeout, this, [this] {
            longest_ = std::max(longest_, clock_.restart());
        });
        timer_.start(10);
    }
    qint64 longestMs() const { return longest_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 longest_ = 0;
};

}  // namespace

class TestMonkey : public QObject {
    Q_OBJECT

    QTemporaryDir settingsDir_, files_;
    std::mt19937 random_;
    QStringList dropFiles_;

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

    // Files a user might drop: datasets good and bad, a checkpoint, a PNG with
    // sampling parameters, garbage, a folder that is gone.
    void makeDropFiles() {
        namespace fs = std::filesystem;
        const fs::path root = files_.path().toStdString();
        fs::create_directories(root / "empty-folder");
        std::ofstream(root / "garbage.png") << "not a picture at all";
        std::ofstream(root / "garbage.ckpt") << "PK\x03\x04 not really";
        std::ofstream(root / "half.npy", std::ios::binary) << "\x93NUMPY\x01\x00";
        const std::string shipped = ddpm::findResource("models/mnist-tiny.ckpt").string();
        dropFiles_ = {QString::fromStdString((root / "empty-folder").string()),
                      QString::fromStdString((root / "garbage.png").string()),
                      QString::fromStdString((root / "garbage.ckpt").string()),
                      QString::fromStdString((root / "half.npy").string()),
                      QString::fromStdString((root / "gone").string()),
                      QString::fromStdString(shipped)};
    }

    // A modal dialog gets an answer: a random button of a message box, or Cancel.
    void answerDialogs() {
        QWidget* modal = QApplication::activeModalWidget();
        if (!modal) return;
        if (auto* box = qobject_cast<QMessageBox*>(modal)) {
            const auto buttons = box->buttons();
            if (!buttons.isEmpty()) buttons[pick(int(buttons.size()))]->click();
            return;
        }
        if (auto* dialog = qobject_cast<QDialog*>(modal)) dialog->reject();
    }

    void dropOn(QWidget* target, const QString& path) {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at = target->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(target, &enter);
        if (!enter.isAccepted()) return;
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(target, &drop);
    }

    template <typename T>
    QList<T*> usable(QWidget* page) {
        QList<T*> found;
        for (T* w : page->findChildren<T*>())
            if (w->isVisible() && w->isEnabled()) found.append(w);
        return found;
    }

    void act(MainWindow& window, QStringList& log) {
        QTabWidget* tabs = window.tabs();
        QWidget* page = tabs->currentWidget();
        switch (pick(8)) {
            case 0: {
                const int tab = pick(tabs->count());
                tabs->setCurrentIndex(tab);
                log << "tab " + tabs->tabText(tab);
                break;
            }
            case 1:
            case 2: {   // buttons are where the work starts: twice as likely
                auto buttons = usable<QAbstractButton>(page);
                if (buttons.isEmpty()) break;
                QAbstractButton* b = buttons[pick(int(buttons.size()))];
                log << "click " + b->objectName() + " '" + b->text() + "'";
                b->click();
                break;
            }
            case 3: {
                auto spins = usable<QAbstractSpinBox>(page);
                if (spins.isEmpty()) break;
                QAbstractSpinBox* spin = spins[pick(int(spins.size()))];
                log << "step " + spin->objectName();
                spin->stepBy(pick(21) - 10);
                break;
            }
            case 4: {
                auto combos = usable<QComboBox>(page);
                if (combos.isEmpty()) break;
                QComboBox* combo = combos[pick(int(combos.size()))];
                if (combo->count() == 0) break;
                log << "choose " + combo->objectName();
                combo->setCurrentIndex(pick(combo->count()));
                break;
            }
            case 5: {
                auto sliders = usable<QAbstractSlider>(page);
                if (sliders.isEmpty()) break;
                QAbstractSlider* slider = sliders[pick(int(sliders.size()))];
                log << "slide " + slider->objectName();
                slider->setValue(slider->minimum() + pick(slider->maximum() - slider->minimum() + 1));
                break;
            }
            case 6: {
                static const int keys[] = {Qt::Key_Space, Qt::Key_Return, Qt::Key_Escape, Qt::Key_Tab, Qt::Key_Left,
                                           Qt::Key_Right, Qt::Key_Up,    Qt::Key_Down,   Qt::Key_A,   Qt::Key_7,
                                           Qt::Key_Minus, Qt::Key_PageDown};
                QWidget* target = QApplication::focusWidget() ? QApplication::focusWidget() : page;
                const int key = keys[pick(int(std::size(keys)))];
                log << "key " + QString::number(key) + " on " + target->objectName();
                QTest::keyClick(target, Qt::Key(key));
                break;
            }
            case 7: {
                if (pick(3) == 0) {   // a menu action (Quit excluded: closing comes at the end)
                    QList<QAction*> actions;
                    for (QAction* a : window.menuBar()->findChildren<QAction*>())
                        if (a->isEnabled() && !a->menu() && !a->isSeparator() && a->objectName() != "actionQuit")
                            actions.append(a);
                    if (actions.isEmpty()) break;
                    QAction* a = actions[pick(int(actions.size()))];
                    log << "menu " + a->text();
                    a->trigger();
                } else {
                    const QString file = dropFiles_[pick(int(dropFiles_.size()))];
                    log << "drop " + QFileInfo(file).fileName();
                    dropOn(&window, file);
                }
                break;
            }
        }
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_.path());
        makeDropFiles();
    }

    void randomActionsWhileTrainingSamplingAndEvaluating() {
        const int actions = qEnvironmentVariableIntValue("DDPM_MONKEY_ACTIONS") > 0
                                ? qEnvironmentVariableIntValue("DDPM_MONKEY_ACTIONS")
                                : 250;
        const unsigned seed = qEnvironmentVariableIsSet("DDPM_MONKEY_SEED")
                                  ? unsigned(qEnvironmentVariableIntValue("DDPM_MONKEY_SEED"))
                                  : unsigned(QDateTime::currentMSecsSinceEpoch());
        qInfo("monkey: %d actions, seed %u (DDPM_MONKEY_SEED=%u repeats them)", actions, seed, seed);
        random_.seed(seed);

        MainWindow window;
        window.show();
        window.openDefaultDataset();
        window.openDefaultCheckpoint();
        // Small steps, so Start gives a run that trains, previews and autosaves within the test.
        TrainSettings s = TrainSettings::defaults();
        s.batchSize = 4;
        s.steps = 400;
        s.previewEvery = 50;
        window.trainView()->settingsPanel()->setSettings(s);
        QTRY_VERIFY_WITH_TIMEOUT(window.trainView()->hasDataset(), 60000);

        QTimer answerer;   // dialogs opened by an action get answered from inside their own event loop
        connect(&answerer, &QTimer::timeout, this, [this] {
            if (pick(2) == 0) answerDialogs();
        });
        answerer.start(150);

        StallMeter stalls;
        QStringList log;
        for (int i = 0; i < actions; ++i) {
            act(window, log);
            QTest::qWait(pick(40));
            if (!window.isVisible()) {   // a dropped checkpoint or dialog never closes the window
                qInfo() << "last actions:" << log.mid(std::max<qsizetype>(0, log.size() - 20));
                QFAIL("the window closed");
            }
        }
        answerer.stop();
        while (QApplication::activeModalWidget()) {
            answerDialogs();
            QTest::qWait(20);
        }
        QMap<QString, int> kinds;
        for (const QString& entry : log) ++kinds[entry.section(' ', 0, 0)];
        QStringList counts;
        for (auto it = kinds.cbegin(); it != kinds.cend(); ++it) counts << QString("%1 %2").arg(it.value()).arg(it.key());
        qInfo("monkey: %s; training reached step %lld; longest GUI-thread stall %lld ms", qPrintable(counts.join(", ")),
              window.trainView()->worker()->completedSteps(), stalls.longestMs());
        // Frozen means seconds: a stall this long is a bug, not a busy moment.
        QVERIFY2(stalls.longestMs() < 5000, qPrintable(QString("the GUI thread stalled for %1 ms; last actions: %2")
                                                           .arg(stalls.longestMs())
                                                           .arg(log.mid(std::max<qsizetype>(0, log.size() - 20)).join("; "))));

        // Closing still works whatever state the monkey left: Discard any run.
        QTimer::singleShot(100, this, [this] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Discard)->click();
        });
        QVERIFY(window.close());
    }
};

QTEST_MAIN(TestMonkey)
#include "test_monkey.moc"
