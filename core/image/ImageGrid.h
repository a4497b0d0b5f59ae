#pragma once
// Turning sample tensors into pictures: uint8 conversion, grids and strips,
// and PNG files that carry their generation parameters in tEXt chunks.
#include <map>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

namespace ddpm {

// x (N,C,H,W) in [-1,1] -> (N,C,H,W) uint8 on the CPU.
torch::Tensor toUint8(const torch::Tensor& x);
// x (N,C,H,W) in [-1,1] -> one picture of `columns` columns with `padding` pixels between cells
// (grey CV_8UC1 or RGB-ordered CV_8UC3).
cv::Mat makeGrid(const torch::Tensor& x, int columns, int padding = 2, int padValue = 0);
// Writes a PNG (RGB-ordered Mats are converted to OpenCV's BGR) with the given text chunks, atomically.
void writePng(const std::string& path, const cv::Mat& image, const std::map<std::string, std::string>& text = {});
// The tEXt chunks of a PNG file (empty if none); throws std::runtime_error if it is not a PNG.
std::map<std::string, std::string> readPngText(const std::string& path);

}  // namespace ddpm
