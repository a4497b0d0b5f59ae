// The ZIP central directory under every archive the program reads.
#include <stdexcept>

#include "FuzzInput.h"
#include "util/ZipDirectory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        ddpm::verifyZipRecords(ddpm::fuzz::writeInput(data, size, "archive.zip"));
    } catch (const std::runtime_error&) {
    }
    return 0;
}
