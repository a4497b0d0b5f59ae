#include "util/TextFile.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/DisplayPath.h"

namespace fs = std::filesystem;

namespace ddpm {

std::string readTextFile(const std::string& path, uint64_t limit) {
    const auto fail = [&](const std::string& reason) { throw std::runtime_error(escapeNonUtf8(path) + ": " + reason); };
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) fail("no such file");
    if (!fs::is_regular_file(status)) fail("not a regular file");
    const uint64_t size = fs::file_size(path, ec);
    if (ec) fail("cannot read: " + ec.message());
    if (size > limit) fail("larger than " + std::to_string(limit / (1024 * 1024)) + " MB");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (!in || (!(text << in.rdbuf()) && size > 0)) fail("cannot read");
    return text.str();
}

}  // namespace ddpm
