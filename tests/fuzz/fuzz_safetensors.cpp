// safetensors files (ddpm import): the JSON header, dtypes, shapes and offsets.
#include <stdexcept>

#include "FuzzInput.h"
#include "export/Safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        ddpm::readSafetensors(ddpm::fuzz::writeInput(data, size, "model.safetensors"));
    } catch (const std::runtime_error&) {
    }
    return 0;
}
