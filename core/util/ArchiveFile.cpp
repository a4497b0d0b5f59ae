#include "util/ArchiveFile.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "util/ArchiveCode.h"
#include "util/AtomicFile.h"
#include "util/ReadOnlyFile.h"
#include "util/ZipDirectory.h"

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

torch::serialize::InputArchive readArchive(const std::string& path, const std::string& kind) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error("no such " + kind + " file");
    // Opened once: LibTorch reads the very bytes that were checked, through the reader for ZIP
    // archives only (loading by path would take a file whose header says "flatbuffer" as one).
    const auto file = std::make_shared<ReadOnlyFile>(path);
    if (file->size() == 0) throw std::runtime_error("file is empty (0 bytes)");
    uint8_t magic[8] = {};
    file->readUpTo(0, magic, sizeof magic);
    if (std::memcmp(magic, "PK\x03\x04", 4) != 0 || std::memcmp(magic + 4, "PTMF", 4) == 0)
        throw std::runtime_error("not a DDPM Studio " + kind + " (not a ZIP archive)");
    std::vector<ZipRecordBytes> code;
    try {
        code = verifyZipRecords(*file, isArchiveCodeRecord);
    } catch (const ZipChecksumError& e) {
        throw std::runtime_error(std::string("damaged: ") + e.what());
    } catch (const std::exception& e) {
        throw std::runtime_error("not a DDPM Studio " + kind + " (" + e.what() + "; truncated or corrupt?)");
    }
    if (code.empty()) throw std::runtime_error("not a DDPM Studio " + kind + " (no data.pkl or code records)");
    for (const ZipRecordBytes& record : code) requireDeclarationsOnly(record.name, record.bytes);
    torch::serialize::InputArchive archive;
    try {
        archive.load_from([file](uint64_t offset, void* out, size_t n) { return file->readUpTo(offset, out, n); },
                          [file] { return size_t(file->size()); });
    } catch (const std::exception&) {
        throw std::runtime_error("not a DDPM Studio " + kind + " (not a readable torch archive)");
    }
    return archive;
}

}  // namespace ddpm
