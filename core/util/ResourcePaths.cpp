#include "util/ResourcePaths.h"

#include <cstdlib>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ddpm {

fs::path dataDirectory() {
    if (const char* env = std::getenv("DDPM_STUDIO_DATA_DIR"); env && *env) return fs::path(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return fs::path("/usr/share/ddpm-studio");
    return (exe.parent_path().parent_path() / "share" / "ddpm-studio").lexically_normal();
}

fs::path findResource(const std::string& relativePath) {
    const fs::path p = dataDirectory() / relativePath;
    std::error_code ec;
    if (!fs::exists(p, ec))
        throw std::runtime_error(p.string() + ": shipped resource not found (set DDPM_STUDIO_DATA_DIR to the "
                                              "folder that holds ddpm-studio's data)");
    return p;
}

fs::path cacheDirectory() {
    auto env = [](const char* name) -> const char* {
        const char* value = std::getenv(name);
        return value && *value ? value : nullptr;
    };
    if (const char* dir = env("DDPM_STUDIO_CACHE_DIR")) return fs::path(dir);
    if (const char* xdg = env("XDG_CACHE_HOME")) return fs::path(xdg) / "ddpm-studio";
    if (const char* home = env("HOME")) return fs::path(home) / ".cache" / "ddpm-studio";
    std::error_code ec;
    return fs::temp_directory_path(ec) / "ddpm-studio-cache";
}

}  // namespace ddpm
