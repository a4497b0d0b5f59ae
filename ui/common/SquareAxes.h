#pragma once
// 2-D point plots show one unit as long on x as on y, so circles look round.
#include <qcustomplot.h>

namespace ddpm::ui {

// Sets the plot's axis ranges to show all of dataX x dataY with equal scales,
// centred; does nothing before the axis rect has a size.
void fitSquare(QCustomPlot& plot, const QCPRange& dataX, const QCPRange& dataY);

}  // namespace ddpm::ui
