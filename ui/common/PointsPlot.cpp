#include "common/PointsPlot.h"

#include <algorithm>

#include "common/SquareAxes.h"

namespace ddpm::ui {

namespace {
// x_T ~ N(0, I): almost every noised point lies within 3.5 of the origin.
constexpr double kNoiseReach = 3.5;
constexpr int kCrowd = 1000;

void setGraphPoints(QCPGraph* graph, const QVector<QPointF>& points) {
    QVector<double> xs(points.size()), ys(points.size());
    for (int i = 0; i < points.size(); ++i) xs[i] = points[i].x(), ys[i] = points[i].y();
    graph->setData(xs, ys);
}
}  // namespace

PointsPlot::PointsPlot(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMinimumSize(200, 200);
    xAxis->setLabel("x");
    yAxis->setLabel("y");
    backdrop_ = addGraph();
    backdrop_->setLineStyle(QCPGraph::lsNone);
    backdrop_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(190, 190, 190), 3));
    backdrop_->setAdaptiveSampling(false);
    points_ = addGraph();
    points_->setLineStyle(QCPGraph::lsNone);
    points_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(31, 119, 180), 4));
    points_->setAdaptiveSampling(false);
    legend->setVisible(true);
    legend->setBrush(QColor(255, 255, 255, 220));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void PointsPlot::setBackdrop(const QVector<QPointF>& points, const QString& name) {
    setGraphPoints(backdrop_, points);
    backdrop_->setName(name);
    double minX = -kNoiseReach, maxX = kNoiseReach, minY = -kNoiseReach, maxY = kNoiseReach;
    for (const QPointF& p : points) {
        minX = std::min(minX, p.x()), maxX = std::max(maxX, p.x());
        minY = std::min(minY, p.y()), maxY = std::max(maxY, p.y());
    }
    dataX_ = QCPRange(minX, maxX);
    dataY_ = QCPRange(minY, maxY);
    fit();
    replot(QCustomPlot::rpQueuedReplot);
}

void PointsPlot::setPoints(const QVector<QPointF>& points, const QString& name) {
    // Thousands of points would hide the data behind them: smaller and see-through then.
    const bool crowd = points.size() > kCrowd;
    points_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(31, 119, 180, crowd ? 70 : 255), crowd ? 3 : 5));
    setGraphPoints(points_, points);
    points_->setName(name);
    replot(QCustomPlot::rpQueuedReplot);
}

void PointsPlot::setPaths(const QVector<QVector<QPointF>>& paths) {
    // Reuse the curves: scrubbing a trajectory calls this at every frame.
    while (paths_.size() > paths.size()) removePlottable(paths_.takeLast());
    while (paths_.size() < paths.size()) {
        auto* curve = new QCPCurve(xAxis, yAxis);
        curve->setPen(QPen(QColor(255, 127, 14, 110), 1));
        curve->removeFromLegend();
        paths_.append(curve);
    }
    for (int i = 0; i < paths.size(); ++i) {
        QVector<double> keys(paths[i].size()), xs(paths[i].size()), ys(paths[i].size());
        for (int k = 0; k < paths[i].size(); ++k) keys[k] = k, xs[k] = paths[i][k].x(), ys[k] = paths[i][k].y();
        paths_[i]->setData(keys, xs, ys, true);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void PointsPlot::resizeEvent(QResizeEvent* event) {
    QCustomPlot::resizeEvent(event);
    fit();
}

void PointsPlot::fit() {
    updateLayout();
    fitSquare(*this, dataX_, dataY_);
}

}  // namespace ddpm::ui
