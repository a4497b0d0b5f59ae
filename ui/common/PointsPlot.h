#pragma once
// 2-D points for the toy datasets: the data as a grey backdrop, the points of
// interest (x_t, samples) in colour on top, and optionally each point's path.
// Equal scales on both axes; the view spans the data and the unit Gaussian's
// reach, so it stays put while the points move.
#include <qcustomplot.h>

namespace ddpm::ui {

class PointsPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit PointsPlot(QWidget* parent = nullptr);

    void setBackdrop(const QVector<QPointF>& points, const QString& name);
    void setPoints(const QVector<QPointF>& points, const QString& name);
    // One path per point, oldest first; an empty list removes them.
    void setPaths(const QVector<QVector<QPointF>>& paths);
    int pointCount() const { return points_->dataCount(); }
    int backdropCount() const { return backdrop_->dataCount(); }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fit();

    QCPGraph* backdrop_;
    QCPGraph* points_;
    QList<QCPCurve*> paths_;
    QCPRange dataX_{-3.5, 3.5}, dataY_{-3.5, 3.5};
};

}  // namespace ddpm::ui
