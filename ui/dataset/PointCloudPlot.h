#pragma once
// A 2-D point dataset (toy:*) as a scatter plot, one colour per label, with
// equal scales on both axes so circles look round. Drag to pan, wheel to zoom.
#include <qcustomplot.h>

#include "dataset/DatasetPtr.h"

namespace ddpm::ui {

class PointCloudPlot : public QCustomPlot {
    Q_OBJECT

public:
    explicit PointCloudPlot(QWidget* parent = nullptr);

    void setDataset(const DatasetPtr& dataset);   // nullptr or an image dataset: empty plot
    int pointCount() const;                        // points plotted, over all graphs

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitSquare();   // shows all points, one unit as long on x as on y

    QCPRange dataX_{-1, 1}, dataY_{-1, 1};
};

}  // namespace ddpm::ui
