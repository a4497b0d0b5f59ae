#pragma once
// The record list of a ZIP file (LibTorch's archives are ZIPs, tensors stored,
// code deflated), read from its central directory (found by the rules LibTorch's own
// reader follows) with every offset and size checked against the file, and each
// record's CRC-32 recomputed. LibTorch's own reader
// skips that check, so a damaged checkpoint would otherwise load silently.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/ReadOnlyFile.h"

namespace ddpm {

struct ZipRecord {
    std::string name;
    uint64_t dataOffset = 0;   // first byte of the stored data in the file
    uint64_t size = 0;         // stored bytes
    uint64_t uncompressedSize = 0;
    uint32_t crc32 = 0;        // of the uncompressed bytes, as the directory records it
    bool compressed = false;   // deflated (LibTorch compresses its small code records)
};

// A record whose bytes differ from the CRC-32 written with them.
class ZipChecksumError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws std::runtime_error saying what is wrong (not naming the file: callers do).
std::vector<ZipRecord> readZipDirectory(const std::string& path);
// The decoded bytes of a record kept while it was checked.
struct ZipRecordBytes {
    std::string name;
    std::string bytes;
};

// Recomputes every record's CRC-32; throws ZipChecksumError naming the first record that differs
// (std::runtime_error when the directory itself is damaged). Returns the decoded bytes of the
// records `keep` picks by name, at most maxKeptBytes in all (meant for small ones: an archive's
// code and pickles, read from the same pass that checks them).
std::vector<ZipRecordBytes> verifyZipRecords(const std::string& path,
                                             const std::function<bool(const std::string& name)>& keep = {},
                                             uint64_t maxKeptBytes = 64ull << 20);
// The same on a file already open, which a caller then goes on reading.
std::vector<ZipRecordBytes> verifyZipRecords(const ReadOnlyFile& file, const std::function<bool(const std::string& name)>& keep,
                                             uint64_t maxKeptBytes = 64ull << 20);

}  // namespace ddpm
