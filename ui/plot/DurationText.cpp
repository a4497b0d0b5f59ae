#include "plot/DurationText.h"

#include <algorithm>
#include <cmath>

namespace ddpm::ui {

QString durationText(double seconds) {
    const qint64 s = std::llround(std::max(0.0, seconds));
    const QChar zero('0');
    if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, zero).arg(s % 60, 2, 10, zero);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, zero);
}

}  // namespace ddpm::ui
