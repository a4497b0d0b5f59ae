#include "data/ByteStream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <zlib.h>

#include "data/DatasetError.h"
#include "util/DisplayPath.h"

namespace ddpm {

struct ByteStream::Inflater {
    z_stream z{};
};

ByteStream::ByteStream(const std::string& path) : path_(displayPath(path)), inBuf_(1 << 16) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw DatasetError(path_, "is a folder, expected a file");
    if (!std::filesystem::is_regular_file(path, ec))
        throw DatasetError(path_, "not a regular file (a pipe, socket or device)");   // fopen would block on a pipe
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw DatasetError(path_, std::string("cannot open: ") + std::strerror(errno));
    fileSize_ = std::filesystem::file_size(path, ec);
    if (ec) fileSize_ = 0;
    if (fileSize_ == 0) {
        std::fclose(file_);
        file_ = nullptr;
        throw DatasetError(path_, "file is empty (0 bytes)");
    }
    uint8_t magic[2] = {0, 0};
    size_t got = std::fread(magic, 1, 2, file_);
    std::rewind(file_);
    compressed_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (compressed_) {
        inflater_ = std::make_unique<Inflater>();
        if (inflateInit2(&inflater_->z, 15 + 16) != Z_OK) throw DatasetError(path_, "cannot start gzip decoder");
    }
}

ByteStream::~ByteStream() {
    if (inflater_) inflateEnd(&inflater_->z);
    if (file_) std::fclose(file_);
}

bool ByteStream::refill() {
    size_t got = std::fread(inBuf_.data(), 1, inBuf_.size(), file_);
    if (got == 0 && std::ferror(file_)) throw DatasetError(path_, std::string("read error: ") + std::strerror(errno));
    inflater_->z.next_in = inBuf_.data();
    inflater_->z.avail_in = static_cast<uInt>(got);
    return got > 0;
}

size_t ByteStream::read(uint8_t* out, size_t n) {
    if (!compressed_) {
        size_t got = std::fread(out, 1, n, file_);
        if (got < n && std::ferror(file_)) throw DatasetError(path_, std::string("read error: ") + std::strerror(errno));
        return got;
    }
    z_stream& z = inflater_->z;
    z.next_out = out;
    z.avail_out = static_cast<uInt>(n);
    while (z.avail_out > 0 && !streamEnded_) {
        if (z.avail_in == 0 && !refill())
            throw DatasetError(path_, "truncated gzip data (the compressed stream ends early)");
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            streamEnded_ = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            throw DatasetError(path_, std::string("corrupt gzip data: ") + (z.msg ? z.msg : "inflate failed"));
        }
    }
    return n - z.avail_out;
}

void ByteStream::readExact(uint8_t* out, size_t n, const char* what) {
    size_t done = 0;
    while (done < n) {
        // zlib counts in 32-bit units; read in chunks.
        size_t chunk = std::min<size_t>(n - done, size_t(1) << 30);
        size_t got = read(out + done, chunk);
        done += got;
        if (got < chunk) break;
    }
    if (done < n)
        throw DatasetError(path_, std::string("truncated: ") + what + " needs " + std::to_string(n) +
                                      " bytes, only " + std::to_string(done) + " present");
}

std::vector<uint8_t> ByteStream::readVector(uint64_t n, const char* what) {
    constexpr uint64_t kChunk = 1 << 20;
    std::vector<uint8_t> bytes;
    if (!compressed_) bytes.reserve(size_t(std::min(n, fileSize_)));
    while (bytes.size() < n) {
        const size_t done = bytes.size(), chunk = size_t(std::min(kChunk, n - done));
        bytes.resize(done + chunk);
        const size_t got = read(bytes.data() + done, chunk);
        if (got < chunk)
            throw DatasetError(path_, std::string("truncated: ") + what + " needs " + std::to_string(n) +
                                          " bytes, only " + std::to_string(done + got) + " present");
    }
    return bytes;
}

bool ByteStream::atEnd() {
    uint8_t probe;
    return read(&probe, 1) == 0;
}

}  // namespace ddpm
