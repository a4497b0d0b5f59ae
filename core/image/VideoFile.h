#pragma once
// The denoising animation as an MP4 video, through OpenCV's video writer
// (FFmpeg). Whether an H.264 or MPEG-4 encoder is present depends on how
// OpenCV was built: this says clearly when none opens.
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace ddpm {

// frames: all the same size, CV_8UC1 or CV_8UC3 (RGB order). Odd sizes are padded to even
// ones (H.264 needs them). Written atomically. Throws std::runtime_error naming the file and
// the reason, e.g. that no MP4 encoder could be opened.
void writeMp4(const std::string& path, const std::vector<cv::Mat>& frames, double framesPerSecond);

}  // namespace ddpm
