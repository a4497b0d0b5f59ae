#pragma once
// OpenCV allocates an image's pixels from the size its header declares, before it
// decodes a byte of them: a 40-byte JPEG asked for 2.9 GB. While a DecodeLimit
// lives, OpenCV matrices created on its thread are refused above `bytes` (with a
// cv::Exception, which cv::imdecode passes on), so a header is checked before it
// costs anything.
#include <cstdint>

namespace ddpm {

class DecodeLimit {
public:
    explicit DecodeLimit(uint64_t bytes);   // installs the checking allocator on first use
    ~DecodeLimit();                          // the thread's previous limit again
    DecodeLimit(const DecodeLimit&) = delete;
    DecodeLimit& operator=(const DecodeLimit&) = delete;

private:
    uint64_t previous_;
};

}  // namespace ddpm
