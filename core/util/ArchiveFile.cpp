#include "util/ArchiveFile.h"

#include <cstdint>
#include <vector>

#include "util/AtomicFile.h"

namespace ddpm {

void writeArchiveAtomically(const std::string& path, torch::serialize::OutputArchive& archive) {
    std::vector<uint8_t> bytes;
    archive.save_to([&bytes](const void* data, size_t size) {
        const auto* begin = static_cast<const uint8_t*>(data);
        bytes.insert(bytes.end(), begin, begin + size);
        return size;
    });
    writeFileAtomically(path, bytes);
}

}  // namespace ddpm
