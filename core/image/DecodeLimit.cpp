#include "image/DecodeLimit.h"

#include <algorithm>
#include <cstring>

#include <opencv2/core/mat.hpp>

namespace ddpm {

namespace {

thread_local uint64_t limitBytes = 0;   // 0: no limit on this thread

// OpenCV's own allocator, after a size check on threads that set a limit.
class LimitedAllocator : public cv::MatAllocator {
public:
    cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                           cv::UMatUsageFlags usage) const override {
        if (limitBytes > 0 && !data) {
            uint64_t bytes = uint64_t(CV_ELEM_SIZE(type));
            for (int i = 0; i < dims; ++i) {
                const uint64_t size = uint64_t(std::max(sizes[i], 0));
                if (size > 0 && bytes > limitBytes / size) CV_Error(cv::Error::StsNoMem, "the image is larger than its memory limit");
                bytes *= size;
            }
        }
        return cv::Mat::getStdAllocator()->allocate(dims, sizes, type, data, step, flags, usage);
    }
    bool allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
        return cv::Mat::getStdAllocator()->allocate(data, flags, usage);
    }
    void deallocate(cv::UMatData* data) const override { cv::Mat::getStdAllocator()->deallocate(data); }
};

}  // namespace

DecodeLimit::DecodeLimit(uint64_t bytes) : previous_(limitBytes) {
    static LimitedAllocator allocator;
    static const bool installed = (cv::Mat::setDefaultAllocator(&allocator), true);
    (void)installed;
    limitBytes = bytes;
}

DecodeLimit::~DecodeLimit() { limitBytes = previous_; }

bool hasImageSignature(const uint8_t* bytes, size_t size) {
    const auto startsWith = [&](size_t at, const char* text, size_t length) {
        return size >= at + length && std::memcmp(bytes + at, text, length) == 0;
    };
    // OpenCV tries its other decoders when the WebP one declines a "RIFF….WEBP" file: no
    // DICOM marker may follow either.
    if (startsWith(128, "DICM", 4)) return false;
    return startsWith(0, "\x89PNG\r\n\x1a\n", 8) || startsWith(0, "\xff\xd8\xff", 3) || startsWith(0, "BM", 2) ||
           (startsWith(0, "RIFF", 4) && startsWith(8, "WEBP", 4)) || startsWith(0, "II*\0", 4) || startsWith(0, "MM\0*", 4);
}

}  // namespace ddpm
