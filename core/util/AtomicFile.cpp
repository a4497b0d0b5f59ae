#include "util/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

namespace ddpm {

namespace {

constexpr char kTemporaryMark[] = ".tmp-";

void syncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) {
        if (directory) return;   // best effort for the folder entry
        throw std::runtime_error(path + ": cannot reopen to flush: " + std::strerror(errno));
    }
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0 && !directory) throw std::runtime_error(path + ": cannot flush to disk: " + std::strerror(error));
}

std::string folderOf(const std::string& path) {
    const std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

// Why `bytes` could not be written to `path`: a full disk names the folder and the space needed.
std::string writeFailure(const std::string& path, size_t bytes, int error) {
    if (error == ENOSPC || error == EDQUOT || error == EFBIG) {
        char needed[64];
        std::snprintf(needed, sizeof needed, "%.1f MB", double(bytes) / 1e6);
        return path + ": disk full: needs " + needed + " in " + folderOf(path) + " (" + std::strerror(error) + ")";
    }
    return path + ": cannot write: " + std::strerror(error);
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& writer) {
    const std::filesystem::path target(path);
    const std::string temporary =
        (target.parent_path() / ("." + target.filename().string() + kTemporaryMark + std::to_string(::getpid()))).string();
    try {
        writer(temporary);
        syncPath(temporary, false);
    } catch (...) {
        std::remove(temporary.c_str());
        throw;
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw std::runtime_error(path + ": cannot replace the file: " + reason);
    }
    syncPath(target.parent_path().empty() ? "." : target.parent_path().string(), true);
}

void writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes) {
    writeFileAtomically(path, [&](const std::string& temporary) {
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error(path + ": cannot create a file in " + folderOf(path) + ": " + std::strerror(errno));
        size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const int error = n < 0 ? errno : ENOSPC;
                ::close(fd);
                throw std::runtime_error(writeFailure(path, bytes.size(), error));
            }
            done += size_t(n);
        }
        const bool synced = ::fsync(fd) == 0;
        const int error = errno;
        if (::close(fd) != 0 || !synced) throw std::runtime_error(writeFailure(path, bytes.size(), synced ? errno : error));
    });
}

int removeStaleTemporaries(const std::string& folder) {
    int removed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        const size_t mark = name.rfind(kTemporaryMark);
        if (name.empty() || name[0] != '.' || mark == std::string::npos) continue;
        const std::string digits = name.substr(mark + std::strlen(kTemporaryMark));
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = pid_t(std::stol(digits));
        const bool alive = pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
        if (!alive && entry.is_regular_file(ec) && std::filesystem::remove(entry.path(), ec)) ++removed;
    }
    return removed;
}

void syncFile(const std::string& path) { syncPath(path, false); }

void ensureFolder(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec || !std::filesystem::is_directory(path)) throw std::runtime_error(path + ": cannot create folder: " + ec.message());
}

}  // namespace ddpm
