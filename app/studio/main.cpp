// ddpm-studio: the desktop app. Opens the datasets named on the command line
// (the last one wins for now), the built-in mnist otherwise.
#include <QApplication>
#include <QIcon>
#include <QStringList>
#include <cstring>
#include <iostream>

#include "MainWindow.h"
#include "StudioSettings.h"
#include "core/Version.h"
#include "util/MemoryAllocator.h"

namespace {

void printUsage(std::ostream& out) {
    out << "usage: ddpm-studio [--help] [--version] [PATH...]\n\n"
           "DDPM Studio: train, explore and sample denoising diffusion models on the desktop.\n\n"
           "PATH is a dataset: a folder of images (sub-folders are classes), an IDX or CIFAR file\n"
           "or folder, or a built-in name (mnist, fashion-mnist, toy:gmm8, toy:moons, ...).\n"
           "With several, the last one is opened. Without any, the built-in mnist is.\n\n"
           "Qt's own options (-platform, -style, ...) are accepted too.\n";
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

    QStringList paths = QApplication::arguments().mid(1);
    for (const QString& arg : paths) {
        if (arg.startsWith("--")) {
            std::cerr << "ddpm-studio: error: unknown option '" << arg.toStdString() << "'\n";
            printUsage(std::cerr);
            return 2;
        }
    }

    ddpm::ui::MainWindow window;
    window.show();
    if (paths.isEmpty()) window.openDefaultDataset();
    else window.openDataset(paths.last());
    window.openDefaultCheckpoint();   // the Denoise and Samples tabs work from the first minute
    return app.exec();
}
