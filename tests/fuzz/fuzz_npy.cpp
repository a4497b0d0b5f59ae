// NumPy .npy arrays: magic, version, a Python-dict header, data.
#include "FuzzInput.h"
#include "data/DatasetError.h"
#include "data/NpyFormat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ddpm::LoadOptions options;
    options.memoryLimitBytes = ddpm::fuzz::kMemoryLimitBytes;
    try {
        ddpm::loadNpy(ddpm::fuzz::writeInput(data, size, "images.npy"), options);
    } catch (const ddpm::DatasetError&) {
    }
    return 0;
}
