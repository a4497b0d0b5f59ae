// IDX (MNIST's format, gzip or raw): magic, dimensions, data.
#include "FuzzInput.h"
#include "data/DatasetError.h"
#include "data/IdxFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ddpm::LoadOptions options;
    options.memoryLimitBytes = ddpm::fuzz::kMemoryLimitBytes;
    try {
        ddpm::loadIdxFile(ddpm::fuzz::writeInput(data, size, "images-idx3-ubyte"), options);
    } catch (const ddpm::DatasetError&) {
    }
    return 0;
}
