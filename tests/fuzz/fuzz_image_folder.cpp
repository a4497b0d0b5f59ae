// One image in a folder, decoded through OpenCV exactly as the folder loader does
// (format found from the bytes; the .png name does not decide it).
#include "FuzzInput.h"
#include "data/DatasetError.h"
#include "data/ImageFolderFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string folder = ddpm::fuzz::emptyFolder("images");
    ddpm::fuzz::writeInput(data, size, "images/picture.png");
    ddpm::LoadOptions options;
    // A 4 kB input can declare a picture of 80 megapixels that the decoder then fills and
    // copies: 1 MB keeps a run fast (over 4,000 a second rather than 70) and takes the same paths.
    options.memoryLimitBytes = 1ull << 20;
    options.resolution = 28;
    options.threads = 1;
    try {
        ddpm::loadImageFolder(folder, options);
    } catch (const ddpm::DatasetError&) {
    }
    return 0;
}
