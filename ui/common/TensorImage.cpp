#include "common/TensorImage.h"

#include <cmath>

#include "common/MatImage.h"
#include "image/ImageGrid.h"

namespace ddpm::ui {

QImage gridImage(const torch::Tensor& x, int columns, int padding) {
    return toQImage(ddpm::makeGrid(x, columns, padding));
}

QList<QImage> itemImages(const torch::Tensor& x) {
    QList<QImage> images;
    for (int64_t i = 0; i < x.size(0); ++i) images.append(gridImage(x.slice(0, i, i + 1), 1, 0));
    return images;
}

QVector<QPointF> toPoints(const torch::Tensor& xy) {
    const auto cpu = xy.detach().to(torch::kCPU, torch::kFloat).contiguous();   // (N,2)
    const float* d = cpu.data_ptr<float>();
    QVector<QPointF> points(int(cpu.size(0)));
    for (int i = 0; i < points.size(); ++i) points[i] = QPointF(d[2 * i], d[2 * i + 1]);
    return points;
}

int gridColumns(int64_t n) { return int(std::ceil(std::sqrt(double(std::max<int64_t>(1, n))))); }

}  // namespace ddpm::ui
