#pragma once
// OpenCV allocates an image's pixels from the size its header declares, before it
// decodes a byte of them: a 40-byte JPEG asked for 2.9 GB. While a DecodeLimit
// lives, OpenCV matrices created on its thread are refused above `bytes` (with a
// cv::Exception, which cv::imdecode passes on), so a header is checked before it
// costs anything. And only bytes that start like a format we read reach a decoder.
#include <cstddef>
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

// Whether `bytes` begin with a PNG, JPEG, BMP, WebP or TIFF signature and hold no DICOM
// marker (at byte 128). OpenCV picks its
// decoder from the bytes and also hands DICOM-like ones to GDCM, which aborts the process
// on a malformed file: check this before cv::imdecode.
bool hasImageSignature(const uint8_t* bytes, size_t size);

}  // namespace ddpm
