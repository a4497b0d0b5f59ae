#pragma once
// Where the shipped data lives: <prefix>/share/ddpm-studio beside <prefix>/bin,
// in the build tree and when installed alike. DDPM_STUDIO_DATA_DIR overrides.
#include <filesystem>
#include <string>

namespace ddpm {

std::filesystem::path dataDirectory();
// A file under the data directory; throws std::runtime_error naming the places looked in.
std::filesystem::path findResource(const std::string& relativePath);

}  // namespace ddpm
