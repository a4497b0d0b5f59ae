#include "common/SquareAxes.h"

#include <algorithm>

namespace ddpm::ui {

void fitSquare(QCustomPlot& plot, const QCPRange& dataX, const QCPRange& dataY) {
    const QRect area = plot.axisRect()->rect();
    if (area.width() <= 0 || area.height() <= 0) return;
    const double unitsPerPixel = std::max(dataX.size() / area.width(), dataY.size() / area.height());
    plot.xAxis->setRange(dataX.center(), unitsPerPixel * area.width(), Qt::AlignCenter);
    plot.yAxis->setRange(dataY.center(), unitsPerPixel * area.height(), Qt::AlignCenter);
}

}  // namespace ddpm::ui
