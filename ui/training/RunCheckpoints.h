#pragma once
// Where a run folder keeps its checkpoints: model.ckpt (the newest, which the
// other tabs open) and a step-numbered snapshot beside it at every autosave,
// checkpoints/step-000500.ckpt, so that a run can be evaluated over its steps.
#include <QString>
#include <QStringList>

namespace ddpm::ui {

inline constexpr char kRunCheckpointName[] = "model.ckpt";

// runFolder/checkpoints/step-NNNNNN.ckpt
QString stepSnapshotPath(const QString& runFolder, qint64 step);
// The step snapshots in name (= step) order, then model.ckpt if it exists.
QStringList runCheckpointFiles(const QString& runFolder);

}  // namespace ddpm::ui
