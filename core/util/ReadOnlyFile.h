#pragma once
// A regular file opened once for reading at offsets: what is checked and what is then read come
// from the same open file, even if its path is replaced in between.
#include <cstddef>
#include <cstdint>
#include <string>

namespace ddpm {

class ReadOnlyFile {
public:
    // Throws std::runtime_error ("cannot open: …", "not a regular file"), not naming the path: callers do.
    explicit ReadOnlyFile(const std::string& path);
    ~ReadOnlyFile();
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

    uint64_t size() const { return size_; }
    // Exactly n bytes at offset, or throws: callers check bounds first, so a short read is a changed file.
    void read(uint64_t offset, uint8_t* out, size_t n) const;
    // Up to n bytes at offset (fewer at the end of the file); the count read.
    size_t readUpTo(uint64_t offset, void* out, size_t n) const;

private:
    int fd_;
    uint64_t size_ = 0;
};

}  // namespace ddpm
