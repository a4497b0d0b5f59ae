#include "training/RunCheckpoints.h"

#include <QDir>
#include <QFileInfo>

namespace ddpm::ui {

namespace {
const char kSnapshotFolder[] = "checkpoints";
}

QString stepSnapshotPath(const QString& runFolder, qint64 step) {
    return QDir(runFolder).filePath(QStringLiteral("%1/step-%2.ckpt").arg(kSnapshotFolder).arg(step, 6, 10, QChar('0')));
}

QStringList runCheckpointFiles(const QString& runFolder) {
    QStringList files;
    const QDir snapshots(QDir(runFolder).filePath(kSnapshotFolder));
    // Zero-padded steps sort by name up to a million steps; the worker orders by the stored step anyway.
    for (const QString& name : snapshots.entryList({"step-*.ckpt"}, QDir::Files, QDir::Name))
        files << snapshots.filePath(name);
    const QString newest = QDir(runFolder).filePath(kRunCheckpointName);
    if (QFileInfo::exists(newest)) files << newest;
    return files;
}

}  // namespace ddpm::ui
