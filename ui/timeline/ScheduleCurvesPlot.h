#pragma once
// β_t, ᾱ_t, √ᾱ_t and SNR(t) of a noise schedule on one log-scaled plot, with a
// vertical cursor at the t the Timeline shows.
#include <qcustomplot.h>

#include "timeline/ForwardNoising.h"

namespace ddpm::ui {

class ScheduleCurvesPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit ScheduleCurvesPlot(QWidget* parent = nullptr);

    void setCurves(const ScheduleCurves& curves);   // replots only when the schedule changed
    void setCursor(int t);
    const ScheduleCurves& curves() const { return curves_; }
    double cursorT() const;

private:
    QCPGraph* addCurve(const QString& name, const QColor& colour, const QString& tip);

    ScheduleCurves curves_;
    bool hasCurves_ = false;
    QCPGraph *beta_, *alphaBar_, *sqrtAlphaBar_, *snr_;
    QCPItemStraightLine* cursor_;
};

}  // namespace ddpm::ui
