// Animated PNGs (the denoising animations the app and ddpm sample --each write).
#include <stdexcept>

#include "FuzzInput.h"
#include "image/Apng.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        ddpm::readApng(ddpm::fuzz::writeInput(data, size, "denoising.png"));
    } catch (const std::runtime_error&) {
    }
    return 0;
}
