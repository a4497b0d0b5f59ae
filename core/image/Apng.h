#pragma once
// Animated PNG (APNG): the denoising animation as one file that browsers play
// and plain PNG viewers show as its first frame. Every frame covers the whole
// canvas; 8-bit grey or RGB.
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace ddpm {

// frames: all the same size, CV_8UC1 (grey) or CV_8UC3 (RGB order); each shown for
// delayMs; loops 0 = forever. Written atomically; throws std::runtime_error naming the file.
void writeApng(const std::string& path, const std::vector<cv::Mat>& frames, int delayMs, int loops = 0);

struct ApngFile {
    int width = 0, height = 0, channels = 0;
    int loops = 0;
    std::vector<int> delaysMs;     // one per frame
    std::vector<cv::Mat> frames;   // decoded, CV_8UC1 or CV_8UC3 in RGB order
};

// Reads an APNG and checks its structure on the way: signature, CRCs, acTL frame count
// against the fcTL chunks, sequence numbers, whole-canvas frames, image data sizes.
// Throws std::runtime_error naming the file and the first problem found.
ApngFile readApng(const std::string& path);

}  // namespace ddpm
