#include "FuzzInput.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ddpm::fuzz {

namespace {
const fs::path& scratch() {
    static const fs::path folder = [] {
        const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        fs::path f = base / ("ddpm-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(f);
        return f;
    }();
    return folder;
}

// Removes the scratch folder when the process ends normally.
struct ScratchCleanup {
    ~ScratchCleanup() {
        std::error_code ec;
        fs::remove_all(fs::path("/dev/shm") / ("ddpm-fuzz-" + std::to_string(::getpid())), ec);
        fs::remove_all(fs::temp_directory_path(ec) / ("ddpm-fuzz-" + std::to_string(::getpid())), ec);
    }
} cleanup;
}  // namespace

std::string writeInput(const uint8_t* data, size_t size, const std::string& name) {
    const fs::path path = scratch() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    if (!out.flush()) throw std::runtime_error("cannot write the fuzz input " + path.string());
    return path.string();
}

std::string emptyFolder(const std::string& name) {
    const fs::path path = scratch() / name;
    fs::remove_all(path);
    fs::create_directories(path);
    return path.string();
}

}  // namespace ddpm::fuzz
