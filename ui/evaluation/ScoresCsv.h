#pragma once
// The Evaluate tab's table as CSV: one row per checkpoint in step order.
#include <QList>
#include <QString>

#include "evaluation/Evaluation.h"

namespace ddpm::ui {

QString scoresCsv(const QList<CheckpointScore>& scores);
// Atomic (core's writeFileAtomically); "" on success, else the reason naming the file.
QString writeScoresCsv(const QString& path, const QList<CheckpointScore>& scores);

}  // namespace ddpm::ui
