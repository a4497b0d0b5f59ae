#pragma once
// Durations as people read them on a clock: "4:05", "1:02:33".
#include <QString>

namespace ddpm::ui {

QString durationText(double seconds);   // negative counts as 0

}  // namespace ddpm::ui
