#include "util/ZipDirectory.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ddpm {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kMaxComment = 0xffff;
constexpr uint64_t kMaxDirectoryBytes = 256ull << 20;   // far beyond any checkpoint's few hundred records

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }

[[noreturn]] void fail(const std::string& reason) { throw std::runtime_error(reason); }

struct DirectoryLocation {
    uint64_t offset = 0, size = 0, entries = 0;
};

// Found as LibTorch's ZIP reader (miniz) finds it, so that the records checked here are the ones it
// reads: the last end-record signature with room for the record after it, and a ZIP64 end record
// whenever a locator stands before it (whatever the 32-bit fields say).
DirectoryLocation locateDirectory(const ReadOnlyFile& file) {
    if (file.size() < kEndRecordSize) fail("too short to be a ZIP archive");
    const size_t tailSize = size_t(std::min<uint64_t>(file.size(), kEndRecordSize + kMaxComment));
    std::vector<uint8_t> tail(tailSize);
    const uint64_t tailStart = file.size() - tailSize;
    file.read(tailStart, tail.data(), tailSize);
    size_t at = tailSize - kEndRecordSize + 1;
    while (at-- > 0 && le32(&tail[at]) != kEndOfDirectory) {
    }
    if (at == size_t(-1)) fail("not a ZIP archive (no end-of-directory record)");
    const uint8_t* p = &tail[at];
    if (at + kEndRecordSize + le16(p + 20) != tailSize)
        fail("the end-of-directory record's comment does not reach the end of the file");
    DirectoryLocation d{le32(p + 16), le32(p + 12), le16(p + 10)};
    const uint64_t endAt = tailStart + at;
    if (endAt >= 20 + 56) {   // miniz looks for the locator only where a ZIP64 end record fits before it
        uint8_t locator[20];
        file.read(endAt - 20, locator, 20);
        if (le32(locator) == kZip64Locator) {
            const uint64_t recordAt = le64(locator + 8);
            if (file.size() < 56 || recordAt > file.size() - 56) fail("ZIP64 end record out of place");
            uint8_t record[56];
            file.read(recordAt, record, 56);
            if (le32(record) == kZip64EndOfDirectory) d = {le64(record + 48), le64(record + 40), le64(record + 32)};
        }
    }
    if (d.offset > endAt || d.size > endAt - d.offset) fail("the central directory lies outside the file");
    if (d.size > kMaxDirectoryBytes) fail("central directory of " + std::to_string(d.size) + " bytes is too large");
    if (d.entries > d.size / 46) fail("the central directory declares more records than it can hold");
    return d;
}

// The 64-bit sizes and offset of a ZIP64 entry, from its extra field.
void readZip64Extra(const uint8_t* extra, size_t length, uint64_t& size, uint64_t& uncompressed, uint64_t& offset) {
    for (size_t at = 0; at + 4 <= length;) {
        const uint16_t id = le16(extra + at), fieldSize = le16(extra + at + 2);
        if (at + 4 + fieldSize > length) fail("a record's extra field is cut short");
        if (id == 0x0001) {
            const uint8_t* p = extra + at + 4;
            size_t left = fieldSize;
            auto take = [&](uint64_t& value) {
                if (value != 0xffffffff) return;
                if (left < 8) fail("a ZIP64 record's sizes are cut short");
                value = le64(p);
                p += 8;
                left -= 8;
            };
            take(uncompressed);
            take(size);
            take(offset);
            return;
        }
        at += 4 + size_t(fieldSize);
    }
}

std::vector<ZipRecord> readDirectory(const ReadOnlyFile& file) {
    const DirectoryLocation location = locateDirectory(file);
    std::vector<uint8_t> directory(size_t(location.size));
    file.read(location.offset, directory.data(), directory.size());

    std::vector<ZipRecord> records;
    records.reserve(size_t(location.entries));
    size_t at = 0;
    for (uint64_t i = 0; i < location.entries; ++i) {
        if (directory.size() - at < 46 || le32(&directory[at]) != kDirectoryEntry)
            fail("central directory entry " + std::to_string(i) + " is damaged");
        const uint8_t* e = &directory[at];
        const size_t nameLength = le16(e + 28), extraLength = le16(e + 30), commentLength = le16(e + 32);
        if (directory.size() - at - 46 < nameLength + extraLength + commentLength)
            fail("central directory entry " + std::to_string(i) + " is cut short");
        ZipRecord record;
        record.name.assign(reinterpret_cast<const char*>(e + 46), nameLength);
        const uint16_t method = le16(e + 10);
        if (method != 0 && method != 8)
            fail("record '" + record.name + "' uses compression method " + std::to_string(method) + " (only stored or deflated)");
        record.compressed = method == 8;
        record.crc32 = le32(e + 16);
        record.size = le32(e + 20);
        record.uncompressedSize = le32(e + 24);
        uint64_t localOffset = le32(e + 42);
        readZip64Extra(e + 46 + nameLength, extraLength, record.size, record.uncompressedSize, localOffset);
        if (!record.compressed && record.uncompressedSize != record.size)
            fail("record '" + record.name + "' declares two different sizes");

        uint8_t local[30];
        if (localOffset > location.offset || location.offset - localOffset < 30)
            fail("record '" + record.name + "' starts outside the file's records");
        file.read(localOffset, local, 30);
        if (le32(local) != kLocalHeader) fail("record '" + record.name + "' has no local header where the directory says");
        record.dataOffset = localOffset + 30 + le16(local + 26) + le16(local + 28);
        if (record.dataOffset > location.offset || record.size > location.offset - record.dataOffset)
            fail("record '" + record.name + "' of " + std::to_string(record.size) + " bytes reaches past the records");
        records.push_back(std::move(record));
        at += 46 + nameLength + extraLength + commentLength;
    }
    return records;
}

}  // namespace

std::vector<ZipRecord> readZipDirectory(const std::string& path) { return readDirectory(ReadOnlyFile(path)); }

std::vector<ZipRecordBytes> verifyZipRecords(const std::string& path, const std::function<bool(const std::string&)>& keep,
                                             uint64_t maxKeptBytes) {
    return verifyZipRecords(ReadOnlyFile(path), keep, maxKeptBytes);
}

std::vector<ZipRecordBytes> verifyZipRecords(const ReadOnlyFile& file, const std::function<bool(const std::string&)>& keep,
                                             uint64_t maxKeptBytes) {
    const std::vector<ZipRecord> records = readDirectory(file);   // from the same open file as the records
    std::vector<ZipRecordBytes> kept;
    uint64_t keptBytes = 0;
    std::vector<uint8_t> buffer(1 << 16), inflated(1 << 16);
    for (const ZipRecord& record : records) {
        std::string* keeping = nullptr;
        if (keep && keep(record.name)) {
            if (record.uncompressedSize > maxKeptBytes - keptBytes)
                fail("record '" + record.name + "' takes the records to read past " + std::to_string(maxKeptBytes >> 20) + " MB");
            keptBytes += record.uncompressedSize;
            kept.push_back({record.name, {}});
            keeping = &kept.back().bytes;
            keeping->reserve(size_t(record.uncompressedSize));
        }
        uLong crc = crc32(0, nullptr, 0);
        uint64_t produced = 0;
        z_stream z{};
        if (record.compressed && inflateInit2(&z, -MAX_WBITS) != Z_OK) fail("out of memory");   // raw deflate
        int status = Z_OK;
        for (uint64_t done = 0; done < record.size;) {
            const size_t n = size_t(std::min<uint64_t>(buffer.size(), record.size - done));
            file.read(record.dataOffset + done, buffer.data(), n);
            done += n;
            if (!record.compressed) {
                crc = crc32(crc, buffer.data(), uInt(n));
                if (keeping) keeping->append(reinterpret_cast<const char*>(buffer.data()), n);
                produced += n;
                continue;
            }
            z.next_in = buffer.data();
            z.avail_in = uInt(n);
            // Until the input is used up and the last call left output room (nothing pending).
            do {
                z.next_out = inflated.data();
                z.avail_out = uInt(inflated.size());
                status = inflate(&z, Z_NO_FLUSH);
                if (status == Z_BUF_ERROR && z.avail_in == 0) status = Z_OK;   // no progress: wants more input
                const size_t out = inflated.size() - z.avail_out;
                crc = crc32(crc, inflated.data(), uInt(out));
                produced += out;
                if (produced > record.uncompressedSize) status = Z_DATA_ERROR;   // more than it declared
                else if (keeping) keeping->append(reinterpret_cast<const char*>(inflated.data()), out);
            } while (status == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
            if (status != Z_OK && status != Z_STREAM_END) break;
        }
        if (record.compressed) inflateEnd(&z);
        if ((record.compressed && status != Z_STREAM_END) || produced != record.uncompressedSize)
            throw ZipChecksumError("record '" + record.name + "' is damaged: its data does not decode to the " +
                                   std::to_string(record.uncompressedSize) + " bytes it declares");
        if (uint32_t(crc) != record.crc32)
            throw ZipChecksumError("record '" + record.name + "' fails its CRC-32 check: the file was changed after it was written");
    }
    return kept;
}

}  // namespace ddpm
