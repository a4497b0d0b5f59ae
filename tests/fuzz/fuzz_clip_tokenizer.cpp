// CLIP's tokenizer on any prompt: invalid UTF-8 is its one documented error.
#include <stdexcept>
#include <string>

#include "FuzzInput.h"
#include "conditioning/ClipTokenizer.h"
#include "support/TinyClipFolder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const ddpm::ClipTokenizer tokenizer =
        ddpm::ClipTokenizer::fromFolder(ddpm::test::writeTinyClipFolder(ddpm::fuzz::emptyFolder("clip-tokenizer")));
    try {
        tokenizer.encode(std::string(reinterpret_cast<const char*>(data), size), 77);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
