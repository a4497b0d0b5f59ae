#pragma once
// A curve that grows while you watch: the raw values and, optionally, a
// smoothed copy (TensorBoard's debiased exponential moving average), against
// the step or the wall time. Drag to pan, wheel to zoom, double-click to go
// back to following the newest data; the mouse shows a crosshair with the
// value under it. New points are only stored by append(); the redraw happens
// in refresh(), which the owner calls from its timer, so 100,000+ points stay
// fluid (QCustomPlot thins a dense line to what the pixels can show).
#include <QVector>
#include <qcustomplot.h>

namespace ddpm::ui {

struct CurvePoint {
    double step = 0;
    double seconds = 0;
    double value = 0;
};

class LiveCurvePlot : public QCustomPlot {
    Q_OBJECT

public:
    enum class XAxis { Step, WallTime };

    // valueName labels the y axis and the readout ("loss"); withSmoothing adds the smoothed curve.
    LiveCurvePlot(const QString& valueName, bool withSmoothing, QWidget* parent = nullptr);

    // Stores the points (non-finite values are dropped); drawn at the next refresh().
    void append(const QVector<CurvePoint>& points);
    void clear();

    // weight in [0, 1): 0 = no smoothing; 0.99 = very smooth.
    void setSmoothing(double weight);
    void setLogY(bool logarithmic);
    void setXAxis(XAxis axis);
    // Redraws if anything changed since the last call.
    void refresh();
    // Shows all the data again and follows new points (what a double-click does).
    void resetView();

    int pointCount() const { return int(values_.size()); }     // stored raw points
    int plottedPointCount() const;                              // points in the raw graph
    bool isFollowing() const { return following_; }
    double smoothing() const { return smoothing_; }
    // The readout text for the point nearest to x (axis units); empty when there is no data.
    QString readoutAt(double x) const;

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    const QVector<double>& keys() const { return xAxisKind_ == XAxis::Step ? steps_ : seconds_; }
    void recomputeSmoothed();
    void appendSmoothed(double value);
    void rebuildGraphs();
    void fitToData();
    int nearestIndex(double x) const;
    void hideCrosshair();

    QString valueName_;
    QVector<double> steps_, seconds_, values_, smoothed_;
    // TensorBoard's debiased EMA: running sum and the count of values folded in.
    double smoothing_ = 0.6, smoothingSum_ = 0;
    int smoothingCount_ = 0;

    XAxis xAxisKind_ = XAxis::Step;
    bool following_ = true;
    bool settingRanges_ = false;   // our own range changes do not count as the user's pan or zoom
    bool dirty_ = false;
    QCPGraph* raw_;
    QCPGraph* smooth_ = nullptr;
    QCPItemStraightLine* crosshair_;
    QCPItemText* readout_;
    QCPLayer* crosshairLayer_;
};

}  // namespace ddpm::ui
