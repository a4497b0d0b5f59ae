#include "timeline/ScheduleCurvesPlot.h"

#include <algorithm>

namespace ddpm::ui {

namespace {
// log axes cannot show 0: ᾱ and SNR at t = T−1 of a cosine schedule are that small.
constexpr double kFloor = 1e-8;

QVector<double> floored(const QVector<double>& values) {
    QVector<double> out(values.size());
    std::transform(values.begin(), values.end(), out.begin(), [](double v) { return std::max(v, kFloor); });
    return out;
}
}  // namespace

ScheduleCurvesPlot::ScheduleCurvesPlot(QWidget* parent) : QCustomPlot(parent) {
    setObjectName("scheduleCurvesPlot");
    setMinimumHeight(200);
    xAxis->setLabel(tr("t"));
    yAxis->setLabel(tr("value (log scale)"));
    yAxis->setScaleType(QCPAxis::stLogarithmic);
    yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    yAxis->setNumberFormat("eb");
    yAxis->setNumberPrecision(0);
    legend->setVisible(true);
    legend->setBrush(QColor(255, 255, 255, 220));
    // Top right: every schedule's curves are low there (late t, small values) or absent.
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    beta_ = addCurve(QStringLiteral("β_t"), QColor(214, 39, 40), tr("noise added at step t"));
    alphaBar_ = addCurve(QStringLiteral("ᾱ_t"), QColor(31, 119, 180), tr("share of the image's variance left"));
    sqrtAlphaBar_ = addCurve(QStringLiteral("√ᾱ_t"), QColor(44, 160, 44), tr("factor on the clean image"));
    snr_ = addCurve(QStringLiteral("SNR(t)"), QColor(148, 103, 189), tr("ᾱ_t / (1 − ᾱ_t)"));
    cursor_ = new QCPItemStraightLine(this);
    cursor_->setPen(QPen(QColor(60, 60, 60), 1, Qt::DashLine));
    cursor_->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    cursor_->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    setCursor(0);
    setToolTip(tr("<b>β_t</b>: variance of the noise added at step t.<br><b>ᾱ_t</b> = ∏(1−β_s): how much of the "
                  "clean image's variance survives to step t.<br><b>√ᾱ_t</b>: the factor on x0 in "
                  "x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε.<br><b>SNR(t)</b> = ᾱ_t/(1−ᾱ_t): signal against noise; "
                  "below 1 the noise dominates."));
}

QCPGraph* ScheduleCurvesPlot::addCurve(const QString& name, const QColor& colour, const QString& tip) {
    QCPGraph* graph = addGraph();
    graph->setName(QStringLiteral("%1  (%2)").arg(name, tip));
    graph->setPen(QPen(colour, 2));
    return graph;
}

void ScheduleCurvesPlot::setCurves(const ScheduleCurves& curves) {
    if (hasCurves_ && curves.schedule == curves_.schedule) return;
    curves_ = curves;
    hasCurves_ = true;
    beta_->setData(curves.t, floored(curves.beta), true);
    alphaBar_->setData(curves.t, floored(curves.alphaBar), true);
    sqrtAlphaBar_->setData(curves.t, floored(curves.sqrtAlphaBar), true);
    snr_->setData(curves.t, floored(curves.snr), true);
    xAxis->setRange(0, std::max(1, curves.schedule.timesteps - 1));
    yAxis->rescale();
    replot();
}

void ScheduleCurvesPlot::setCursor(int t) {
    cursor_->point1->setCoords(t, 0);
    cursor_->point2->setCoords(t, 1);
    replot(QCustomPlot::rpQueuedReplot);
}

double ScheduleCurvesPlot::cursorT() const { return cursor_->point1->coords().x(); }

}  // namespace ddpm::ui
