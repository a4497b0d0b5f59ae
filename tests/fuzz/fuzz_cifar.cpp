// CIFAR-10 binary batches: label byte plus 3,072 pixel bytes per record.
#include "FuzzInput.h"
#include "data/CifarFormat.h"
#include "data/DatasetError.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ddpm::LoadOptions options;
    options.memoryLimitBytes = ddpm::fuzz::kMemoryLimitBytes;
    try {
        ddpm::loadCifar(ddpm::fuzz::writeInput(data, size, "data_batch_1.bin"), options);
    } catch (const ddpm::DatasetError&) {
    }
    return 0;
}
