#pragma once
// Between OpenCV matrices (core's image files) and QImage (the GUI's pictures).
// Grey is CV_8UC1 / Format_Grayscale8, colour CV_8UC3 in RGB order / Format_RGB888.
#include <QImage>
#include <opencv2/core/mat.hpp>

namespace ddpm::ui {

QImage toQImage(const cv::Mat& mat);    // deep copy
cv::Mat toMat(const QImage& image);      // deep copy; other formats are converted to RGB888

}  // namespace ddpm::ui
