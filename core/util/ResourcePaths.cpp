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

}  // namespace ddpm
