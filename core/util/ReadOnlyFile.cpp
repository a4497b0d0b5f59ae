#include "util/ReadOnlyFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ddpm {

ReadOnlyFile::ReadOnlyFile(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
        const int error = errno;
        if (fd_ >= 0) ::close(fd_);
        throw std::runtime_error(std::string("cannot open: ") + std::strerror(error));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw std::runtime_error("not a regular file");
    }
    size_ = uint64_t(st.st_size);
}

ReadOnlyFile::~ReadOnlyFile() { ::close(fd_); }

void ReadOnlyFile::read(uint64_t offset, uint8_t* out, size_t n) const {
    if (offset > size_ || n > size_ - offset) throw std::runtime_error("a record reaches past the end of the file (truncated?)");
    if (readUpTo(offset, out, n) != n) throw std::runtime_error("the file shrank while being read");
}

size_t ReadOnlyFile::readUpTo(uint64_t offset, void* out, size_t n) const {
    auto* bytes = static_cast<uint8_t*>(out);
    size_t done = 0;
    while (done < n) {
        const ssize_t got = ::pread(fd_, bytes + done, n - done, off_t(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
        if (got == 0) break;
        done += size_t(got);
    }
    return done;
}

}  // namespace ddpm
