#pragma once
// Sequential reader of a file that may be gzip-compressed (detected by its
// magic bytes, not its name). Every failure throws DatasetError naming the file.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace ddpm {

class ByteStream {
public:
    explicit ByteStream(const std::string& path);
    ~ByteStream();
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;

    // Reads exactly n bytes or throws ("truncated", "corrupt gzip data", ...).
    void readExact(uint8_t* out, size_t n, const char* what);
    // The next n bytes as a vector, which grows as they arrive: a header that declares far
    // more than the file holds costs no more memory than the file does before it is refused.
    std::vector<uint8_t> readVector(uint64_t n, const char* what);
    // True when no byte is left (for raw files: at end of file; for gzip: the
    // compressed stream ended and nothing but padding follows).
    bool atEnd();
    bool compressed() const { return compressed_; }
    // Size on disk, for sanity checks on uncompressed files.
    uint64_t fileSize() const { return fileSize_; }
    const std::string& path() const { return path_; }

private:
    size_t read(uint8_t* out, size_t n);  // 0 at end; throws on corrupt data
    bool refill();

    std::string path_;
    std::FILE* file_ = nullptr;
    uint64_t fileSize_ = 0;
    bool compressed_ = false;
    bool streamEnded_ = false;
    struct Inflater;
    std::unique_ptr<Inflater> inflater_;
    std::vector<uint8_t> inBuf_;
};

}  // namespace ddpm
