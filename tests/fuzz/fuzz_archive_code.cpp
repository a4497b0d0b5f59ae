// What a LibTorch archive's code and pickle records may hold (util/ArchiveCode.h): any text, as
// a code record line by line and as a pickle.
#include <stdexcept>
#include <string>

#include "util/ArchiveCode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    for (const char* record : {"archive/code/__torch__.py", "archive/data.pkl"}) {
        try {
            ddpm::requireDeclarationsOnly(record, bytes);
        } catch (const std::runtime_error&) {
        }
    }
    return 0;
}
