#include "common/MatImage.h"

#include <cstring>

namespace ddpm::ui {

QImage toQImage(const cv::Mat& mat) {
    const bool grey = mat.channels() == 1;
    QImage image(mat.cols, mat.rows, grey ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const size_t rowBytes = size_t(mat.cols) * size_t(mat.channels());
    for (int y = 0; y < mat.rows; ++y) std::memcpy(image.scanLine(y), mat.ptr<uint8_t>(y), rowBytes);
    return image;
}

cv::Mat toMat(const QImage& image) {
    const bool grey = image.format() == QImage::Format_Grayscale8;
    const QImage source = grey ? image : image.convertToFormat(QImage::Format_RGB888);
    cv::Mat mat(source.height(), source.width(), grey ? CV_8UC1 : CV_8UC3);
    const size_t rowBytes = size_t(mat.cols) * size_t(mat.channels());
    for (int y = 0; y < mat.rows; ++y) std::memcpy(mat.ptr<uint8_t>(y), source.constScanLine(y), rowBytes);
    return mat;
}

}  // namespace ddpm::ui
