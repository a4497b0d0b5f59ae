#include "util/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace ddpm {

namespace {
void syncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) {
        if (directory) return;   // best effort for the folder entry
        throw std::runtime_error(path + ": cannot reopen to flush: " + std::strerror(errno));
    }
    ::fsync(fd);
    ::close(fd);
}
}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& writer) {
    const std::filesystem::path target(path);
    const std::string temporary =
        (target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
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
        std::ofstream out(temporary, std::ios::binary);
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        if (!out.flush()) throw std::runtime_error(path + ": cannot write");
    });
}

}  // namespace ddpm
