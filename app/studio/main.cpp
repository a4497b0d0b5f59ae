// ddpm-studio: the desktop app. Opens the datasets named on the command line
// (the last one wins for now), the built-in mnist otherwise.
#include <unistd.h>

#include <QApplication>
#include <QIcon>
#include <QStringList>
#include <QTimer>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "MainWindow.h"
#include "StudioSettings.h"
#include "common/ArgumentPath.h"
#include "common/TerminationSignals.h"
#include "training/TrainView.h"
#include "core/Version.h"
#include "util/MemoryAllocator.h"
#include "util/Threads.h"

namespace {

void printUsage(std::ostream& out) {
    out << "usage: ddpm-studio [--help] [--version] [PATH...]\n\n"
           "DDPM Studio: train, explore and sample denoising diffusion models on the desktop.\n\n"
           "PATH is a dataset: a folder of images (sub-folders are classes), an IDX or CIFAR file\n"
           "or folder, or a built-in name (mnist, fashion-mnist, toy:gmm8, toy:moons, ...).\n"
           "With several, the last one is opened. Without any, the built-in mnist is.\n\n"
           "Qt's own options (-platform, -style, ...) are accepted too.\n";
}

// Qt ends the process with exit() from inside the event loop when it loses the display
// (a killed X connection, a crashed compositor): no window is left, but a run would go on
// training on its threads while static destructors run under it. This handler saves the
// run and ends the process at once; a normal return from main() has stopped everything.
// exit() calls handlers and destructors in reverse order of registration, and LibTorch's
// kernels create their statics on first use: the handler is registered again as a run
// reaches steps 1, 2, 4, 8, …, so it comes before everything the run has brought to life.
ddpm::ui::MainWindow* liveWindow = nullptr;

void saveRunOnUnexpectedExit() {
    static bool ran = false;
    if (!liveWindow || ran) return;
    ran = true;
    const QString error = liveWindow->saveForShutdown();
    if (!error.isEmpty()) std::cerr << "ddpm-studio: the run could not be saved: " << error.toStdString() << "\n";
    std::_Exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    // Answered before QApplication exists, so they work without a display.
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            printUsage(std::cout);
            return 0;
        }
        if (!std::strcmp(argv[i], "--version")) {
            std::cout << "ddpm-studio " << ddpm::versionString() << "\n";
            return 0;
        }
    }

    ddpm::restartWithPassiveOpenMpWaiting(argv);   // the desktop shares its cores
    ddpm::keepFreedMemoryInProcess();
    QApplication app(argc, argv);   // takes Qt's options out of the arguments
    QApplication::setOrganizationName(ddpm::ui::kOrganizationName);
    QApplication::setApplicationName(ddpm::ui::kApplicationName);
    QApplication::setApplicationDisplayName("DDPM Studio");
    QApplication::setApplicationVersion(ddpm::versionString());
    // The installed desktop entry and icon (packaging/) share this id; Wayland
    // matches the window to the entry by it.
    QApplication::setDesktopFileName("org.ddpmstudio.DDPMStudio");
    QApplication::setWindowIcon(QIcon::fromTheme("org.ddpmstudio.DDPMStudio"));
    // Caught from here on: a signal while the window is being built is answered once the
    // event loop runs (below), not by dying.
    ddpm::ui::TerminationSignals termination;

    // QApplication took Qt's options out of argv; the rest are paths, as bytes.
    QStringList paths;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg.startsWith("--")) {
            std::cerr << "ddpm-studio: error: unknown option '" << arg.constData() << "'\n";
            printUsage(std::cerr);
            return 2;
        }
        try {
            paths.append(ddpm::ui::argumentPath(arg));
        } catch (const std::exception& e) {
            std::cerr << "ddpm-studio: error: " << e.what() << "\n";
            return 1;
        }
    }

    ddpm::ui::MainWindow window;
    // Logging out, `kill`, a closed terminal or Ctrl+C: save the run, then quit. Connected before
    // the offer to resume, whose dialog runs an event loop of its own: exit() ends that one too.
    int terminationStatus = -1;
    QObject::connect(&termination, &ddpm::ui::TerminationSignals::terminationRequested, &window,
                     [&window, &terminationStatus](int signal) {
                         std::cerr << "ddpm-studio: signal " << signal << ": saving and quitting\n";
                         const QString error = window.saveForShutdown();
                         if (!error.isEmpty())
                             std::cerr << "ddpm-studio: the run could not be saved: " << error.toStdString() << "\n";
                         terminationStatus = error.isEmpty() ? 0 : 1;
                         QApplication::exit(terminationStatus);
                     });
    window.show();
    if (paths.isEmpty()) window.openDefaultDataset();
    else window.openDataset(paths.last());
    window.openDefaultCheckpoint();   // the Denoise and Samples tabs work from the first minute
    window.offerToResumeInterruptedRun();
    if (terminationStatus >= 0) return terminationStatus;   // a signal ended the offer's dialog
    liveWindow = &window;
    std::atexit(saveRunOnUnexpectedExit);
    QTimer rearm;
    qint64 rearmAtStep = 1;
    QObject::connect(window.trainView()->worker(), &ddpm::ui::TrainingWorker::runPrepared, &window,
                     [&rearmAtStep] { rearmAtStep = 1; });
    QObject::connect(&rearm, &QTimer::timeout, &window, [&window, &rearmAtStep] {
        if (window.trainView()->worker()->completedSteps() < rearmAtStep) return;
        std::atexit(saveRunOnUnexpectedExit);
        rearmAtStep *= 2;
    });
    rearm.start(500);
    const int status = app.exec();
    liveWindow = nullptr;
    return status;
}
