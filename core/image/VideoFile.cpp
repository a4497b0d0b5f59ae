#include "image/VideoFile.h"

#include <cstdio>
#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "util/AtomicFile.h"

namespace ddpm {

namespace {

// Tried in order: H.264 plays everywhere; MPEG-4 part 2 is what most OpenCV builds have.
const char* const kCodecs[] = {"avc1", "mp4v"};

cv::Mat toEvenBgr(const cv::Mat& frame) {
    cv::Mat bgr;
    cv::cvtColor(frame, bgr, frame.channels() == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_RGB2BGR);
    if (bgr.cols % 2 == 0 && bgr.rows % 2 == 0) return bgr;
    cv::Mat even;
    cv::copyMakeBorder(bgr, even, 0, bgr.rows % 2, 0, bgr.cols % 2, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return even;
}

}  // namespace

void writeMp4(const std::string& path, const std::vector<cv::Mat>& frames, double framesPerSecond) {
    if (frames.empty()) throw std::runtime_error(path + ": a video needs at least one frame");
    const cv::Mat first = toEvenBgr(frames.front());
    writeFileAtomically(path, [&](const std::string& temporary) {
        // The writer picks the container from the extension: write "<temporary>.mp4", then move it.
        const std::string video = temporary + ".mp4";
        cv::VideoWriter writer;
        for (const char* codec : kCodecs) {
            const int fourcc = cv::VideoWriter::fourcc(codec[0], codec[1], codec[2], codec[3]);
            if (writer.open(video, cv::CAP_FFMPEG, fourcc, framesPerSecond, first.size(), true)) break;
        }
        if (!writer.isOpened()) {
            std::remove(video.c_str());
            throw std::runtime_error(path + ": no MP4 encoder could be opened (OpenCV's FFmpeg backend has neither "
                                            "H.264 nor MPEG-4); export an animated PNG instead");
        }
        for (const cv::Mat& frame : frames) writer.write(toEvenBgr(frame));
        writer.release();
        if (std::rename(video.c_str(), temporary.c_str()) != 0) {
            std::remove(video.c_str());
            throw std::runtime_error(path + ": the encoder wrote no file");
        }
    });
}

}  // namespace ddpm
