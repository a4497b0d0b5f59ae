#include "plot/LiveCurvePlot.h"

#include <QLocale>
#include <QScopedValueRollback>
#include <algorithm>
#include <cmath>

#include "plot/DurationText.h"

namespace ddpm::ui {

namespace {

const QColor kCurveColour(31, 119, 180);

}  // namespace

LiveCurvePlot::LiveCurvePlot(const QString& valueName, bool withSmoothing, QWidget* parent)
    : QCustomPlot(parent), valueName_(valueName) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setPlottingHints(QCP::phFastPolylines | QCP::phCacheLabels);
    setNoAntialiasingOnDrag(true);
    xAxis->setLabel(tr("step"));
    yAxis->setLabel(valueName_);

    raw_ = addGraph();
    raw_->setName(valueName_);
    raw_->setAntialiased(false);
    raw_->setPen(QPen(withSmoothing ? QColor(kCurveColour.red(), kCurveColour.green(), kCurveColour.blue(), 90)
                                    : kCurveColour));
    if (withSmoothing) {
        smooth_ = addGraph();
        smooth_->setName(tr("smoothed"));
        smooth_->setPen(QPen(kCurveColour, 2));
    }

    // The crosshair lives on its own buffered layer: moving it redraws only that layer.
    addLayer("crosshair", layer("main"), limAbove);
    crosshairLayer_ = layer("crosshair");
    crosshairLayer_->setMode(QCPLayer::lmBuffered);
    crosshair_ = new QCPItemStraightLine(this);
    crosshair_->setLayer(crosshairLayer_);
    crosshair_->setPen(QPen(QColor(90, 90, 90), 1, Qt::DashLine));
    for (QCPItemPosition* p : {crosshair_->point1, crosshair_->point2}) {
        p->setTypeX(QCPItemPosition::ptPlotCoords);
        p->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    readout_ = new QCPItemText(this);
    readout_->setLayer(crosshairLayer_);
    readout_->position->setType(QCPItemPosition::ptAxisRectRatio);
    readout_->position->setCoords(0.01, 0.02);
    readout_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    readout_->setBrush(QColor(255, 255, 255, 225));
    readout_->setPadding(QMargins(4, 2, 4, 2));
    crosshair_->setVisible(false);
    readout_->setVisible(false);

    // A drag or a wheel turn: the user takes the view, and new data no longer moves it.
    for (QCPAxis* axis : {xAxis, yAxis})
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
            if (!settingRanges_) following_ = false;
        });
}

void LiveCurvePlot::append(const QVector<CurvePoint>& points) {
    if (points.isEmpty()) return;
    QVector<double> newKeys, newValues, newSmoothed;
    newKeys.reserve(points.size());
    newValues.reserve(points.size());
    const bool sorted = keys().isEmpty() ||
                        (xAxisKind_ == XAxis::Step ? points.front().step : points.front().seconds) >= keys().back();
    for (const CurvePoint& p : points) {
        if (!std::isfinite(p.value)) continue;
        steps_.append(p.step);
        seconds_.append(p.seconds);
        values_.append(p.value);
        newKeys.append(xAxisKind_ == XAxis::Step ? p.step : p.seconds);
        newValues.append(p.value);
        if (smooth_) {
            appendSmoothed(p.value);
            newSmoothed.append(smoothed_.back());
        }
    }
    raw_->addData(newKeys, newValues, sorted);
    if (smooth_) smooth_->addData(newKeys, newSmoothed, sorted);
    dirty_ = true;
}

void LiveCurvePlot::clear() {
    steps_.clear();
    seconds_.clear();
    values_.clear();
    smoothed_.clear();
    smoothingSum_ = 0;
    smoothingCount_ = 0;
    rebuildGraphs();
    hideCrosshair();
    resetView();
}

void LiveCurvePlot::appendSmoothed(double value) {
    // TensorBoard: s_n = w s_{n-1} + (1-w) v_n, divided by 1 - w^n so the start is not pulled to 0.
    smoothingSum_ = smoothing_ * smoothingSum_ + (1 - smoothing_) * value;
    ++smoothingCount_;
    const double debias = 1 - std::pow(smoothing_, smoothingCount_);
    smoothed_.append(debias > 0 ? smoothingSum_ / debias : value);
}

void LiveCurvePlot::recomputeSmoothed() {
    smoothed_.clear();
    smoothed_.reserve(values_.size());
    smoothingSum_ = 0;
    smoothingCount_ = 0;
    for (double v : values_) appendSmoothed(v);
}

void LiveCurvePlot::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.999);
    if (weight == smoothing_) return;
    smoothing_ = weight;
    if (!smooth_) return;
    recomputeSmoothed();
    smooth_->setData(keys(), smoothed_, true);
    dirty_ = true;
}

void LiveCurvePlot::setLogY(bool logarithmic) {
    const QScopedValueRollback<bool> ours(settingRanges_, true);
    if (logarithmic) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        yAxis->setNumberFormat("eb");
        yAxis->setNumberPrecision(0);
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        yAxis->setNumberFormat("gb");
        yAxis->setNumberPrecision(6);
    }
    fitToData();
    dirty_ = true;
}

void LiveCurvePlot::setXAxis(XAxis axis) {
    if (axis == xAxisKind_) return;
    xAxisKind_ = axis;
    if (axis == XAxis::Step) {
        xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        xAxis->setLabel(tr("step"));
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
        ticker->setTimeFormat("%m:%s");
        xAxis->setTicker(ticker);
        xAxis->setLabel(tr("training time (min:s)"));
    }
    rebuildGraphs();
    hideCrosshair();
    resetView();
}

void LiveCurvePlot::rebuildGraphs() {
    raw_->setData(keys(), values_, true);
    if (smooth_) smooth_->setData(keys(), smoothed_, true);
    dirty_ = true;
}

void LiveCurvePlot::refresh() {
    if (!dirty_) return;
    dirty_ = false;
    if (following_) fitToData();
    replot(rpQueuedReplot);
}

void LiveCurvePlot::resetView() {
    following_ = true;
    fitToData();
    dirty_ = false;
    replot(rpQueuedReplot);
}

void LiveCurvePlot::fitToData() {
    if (values_.isEmpty()) return;
    const QScopedValueRollback<bool> ours(settingRanges_, true);
    bool found = false;
    const QCPRange keyRange = raw_->getKeyRange(found);
    if (found) xAxis->setRange(keyRange.lower, keyRange.upper + std::max(keyRange.size() * 0.02, 1.0));
    // y: everything the curves show, with a little room above and below.
    QCPRange valueRange = raw_->getValueRange(found, QCP::sdBoth);
    if (!found) return;
    if (yAxis->scaleType() == QCPAxis::stLogarithmic) {
        valueRange = raw_->getValueRange(found, QCP::sdPositive);
        if (!found) return;
        yAxis->setRange(valueRange.lower / 1.2, valueRange.upper * 1.2);
    } else {
        const double margin = std::max(valueRange.size() * 0.05, std::abs(valueRange.upper) * 1e-3 + 1e-12);
        yAxis->setRange(valueRange.lower - margin, valueRange.upper + margin);
    }
}

int LiveCurvePlot::plottedPointCount() const { return raw_->dataCount(); }

int LiveCurvePlot::nearestIndex(double x) const {
    const QVector<double>& k = keys();
    if (k.isEmpty()) return -1;
    const int i = int(std::lower_bound(k.begin(), k.end(), x) - k.begin());
    if (i == 0) return 0;
    if (i == k.size()) return i - 1;
    return (x - k[i - 1] <= k[i] - x) ? i - 1 : i;
}

QString LiveCurvePlot::readoutAt(double x) const {
    const int i = nearestIndex(x);
    if (i < 0) return {};
    QString text = tr("step %1 · %2 · %3 %4")
                       .arg(QLocale().toString(qint64(steps_[i])), durationText(seconds_[i]), valueName_,
                            QString::number(values_[i], 'g', 4));
    if (smooth_) text += tr(" · smoothed %1").arg(QString::number(smoothed_[i], 'g', 4));
    return text;
}

void LiveCurvePlot::mouseMoveEvent(QMouseEvent* event) {
    QCustomPlot::mouseMoveEvent(event);
    const int i = nearestIndex(xAxis->pixelToCoord(event->position().x()));
    if (i < 0 || !axisRect()->rect().contains(event->position().toPoint())) return hideCrosshair();
    const double key = keys()[i];
    crosshair_->point1->setCoords(key, 0);
    crosshair_->point2->setCoords(key, 1);
    readout_->setText(readoutAt(key));
    crosshair_->setVisible(true);
    readout_->setVisible(true);
    crosshairLayer_->replot();
}

void LiveCurvePlot::mouseDoubleClickEvent(QMouseEvent* event) {
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
}

void LiveCurvePlot::leaveEvent(QEvent* event) {
    QCustomPlot::leaveEvent(event);
    hideCrosshair();
}

void LiveCurvePlot::hideCrosshair() {
    if (!crosshair_->visible() && !readout_->visible()) return;
    crosshair_->setVisible(false);
    readout_->setVisible(false);
    crosshairLayer_->replot();
}

}  // namespace ddpm::ui
