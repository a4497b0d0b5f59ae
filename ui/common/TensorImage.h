#pragma once
// Tensors to the GUI's pictures and points, on the worker threads (this header
// includes torch: only the worker library uses it).
#include <QImage>
#include <QPointF>
#include <QVector>

#include <torch/types.h>

namespace ddpm::ui {

// x (N,C,H,W) in [-1,1] -> one picture, `columns` wide, `padding` black pixels between cells.
QImage gridImage(const torch::Tensor& x, int columns, int padding);
// Every item of x (N,C,H,W) in [-1,1] as its own picture.
QList<QImage> itemImages(const torch::Tensor& x);
// xy (N,2) -> N points.
QVector<QPointF> toPoints(const torch::Tensor& xy);
// The square-ish grid width for n items: ceil(sqrt(n)).
int gridColumns(int64_t n);

}  // namespace ddpm::ui
