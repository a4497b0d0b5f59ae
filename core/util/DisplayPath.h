#pragma once
#include <filesystem>
#include <string>

namespace ddpm {

// A path as text that is always valid UTF-8: invalid bytes become \xNN, so a
// file with a non-UTF-8 name can still be named in an error message.
std::string displayPath(const std::filesystem::path& path);
std::string escapeNonUtf8(const std::string& bytes);
bool isValidUtf8(const std::string& bytes);

}  // namespace ddpm
