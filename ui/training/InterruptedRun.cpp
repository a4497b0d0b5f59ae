#include "training/InterruptedRun.h"

#include <QFileInfo>

#include "StudioSettings.h"
#include "training/RunFolder.h"

namespace ddpm::ui {

namespace {
constexpr char kFolderKey[] = "training/runInProgress";
constexpr char kDatasetKey[] = "training/runInProgressDataset";
}  // namespace

QString InterruptedRun::checkpoint() const {
    return QString::fromStdString(RunFolder(runFolder.toStdString()).checkpoint());
}

void noteRunInProgress(const InterruptedRun& run) {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.setValue(kFolderKey, run.runFolder);
    settings.setValue(kDatasetKey, run.datasetSource);
    settings.sync();   // a crash right after must still find it
}

void clearRunInProgress() {
    QSettings settings(kOrganizationName, kApplicationName);
    settings.remove(kFolderKey);
    settings.remove(kDatasetKey);
    settings.sync();
}

std::optional<InterruptedRun> interruptedRun() {
    QSettings settings(kOrganizationName, kApplicationName);
    InterruptedRun run{settings.value(kFolderKey).toString(), settings.value(kDatasetKey).toString()};
    if (run.runFolder.isEmpty() || !QFileInfo(run.checkpoint()).isFile()) return std::nullopt;
    return run;
}

}  // namespace ddpm::ui
