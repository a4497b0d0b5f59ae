#include "dataset/PointCloudPlot.h"

#include "common/SquareAxes.h"

#include <algorithm>
#include <map>

namespace ddpm::ui {

namespace {

// Distinct colours for the first ten labels (Tableau 10), evenly spaced hues after.
QColor labelColour(int label) {
    static const QColor palette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                     {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                     {188, 189, 34},  {23, 190, 207}};
    if (label >= 0 && label < 10) return palette[label];
    return QColor::fromHsv((label * 137) % 360, 200, 200);   // golden-angle steps
}

constexpr int kMaxLegendEntries = 10;

}  // namespace

PointCloudPlot::PointCloudPlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName("pointCloudPlot");
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    xAxis->setLabel("x");
    yAxis->setLabel("y");
    legend->setBrush(QColor(255, 255, 255, 220));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void PointCloudPlot::setDataset(const DatasetPtr& dataset) {
    clearGraphs();
    legend->setVisible(false);
    if (!dataset || !dataset->isPoints() || dataset->count == 0) {
        replot();
        return;
    }
    const ddpm::Dataset& d = *dataset;

    // Group the points by label (one graph each); unlabelled data is one graph.
    std::map<int, std::pair<QVector<double>, QVector<double>>> byLabel;
    double minX = d.points[0], maxX = minX, minY = d.points[1], maxY = minY;
    for (int64_t i = 0; i < d.count; ++i) {
        const double x = d.points[size_t(2 * i)], y = d.points[size_t(2 * i + 1)];
        auto& [xs, ys] = byLabel[d.hasLabels() ? d.labels[size_t(i)] : -1];
        xs.append(x);
        ys.append(y);
        minX = std::min(minX, x), maxX = std::max(maxX, x);
        minY = std::min(minY, y), maxY = std::max(maxY, y);
    }
    const double marginX = 0.05 * std::max(maxX - minX, 1e-6), marginY = 0.05 * std::max(maxY - minY, 1e-6);
    dataX_ = QCPRange(minX - marginX, maxX + marginX);
    dataY_ = QCPRange(minY - marginY, maxY + marginY);

    for (auto& [label, xy] : byLabel) {
        QCPGraph* graph = addGraph();
        graph->setLineStyle(QCPGraph::lsNone);
        const QColor colour = label < 0 ? QColor(31, 119, 180) : labelColour(label);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 3.5));
        graph->setAdaptiveSampling(false);   // every point drawn: the shape is the point
        graph->setData(xy.first, xy.second);
        const bool named = label >= 0 && label < d.numClasses();
        graph->setName(named ? QString::fromStdString(d.classNames[size_t(label)]) : tr("points"));
    }
    legend->setVisible(d.hasLabels() && graphCount() <= kMaxLegendEntries);
    updateLayout();
    fitSquare();
    replot();
}

int PointCloudPlot::pointCount() const {
    int n = 0;
    for (int g = 0; g < graphCount(); ++g) n += graph(g)->dataCount();
    return n;
}

void PointCloudPlot::resizeEvent(QResizeEvent* event) {
    QCustomPlot::resizeEvent(event);
    updateLayout();
    fitSquare();
}

void PointCloudPlot::fitSquare() { ddpm::ui::fitSquare(*this, dataX_, dataY_); }

}  // namespace ddpm::ui
