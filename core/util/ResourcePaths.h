#pragma once
// Where the program's files live. Shipped data: <prefix>/share/ddpm-studio beside
// <prefix>/bin, in the build tree and when installed alike (DDPM_STUDIO_DATA_DIR overrides).
// Things it can make again (rendered datasets, encoded latents): the user's cache folder.
#include <filesystem>
#include <string>

namespace ddpm {

std::filesystem::path dataDirectory();
// A file under the data directory; throws std::runtime_error naming the places looked in.
std::filesystem::path findResource(const std::string& relativePath);

// $DDPM_STUDIO_CACHE_DIR, else $XDG_CACHE_HOME/ddpm-studio, else ~/.cache/ddpm-studio
// (the temporary folder's ddpm-studio-cache without a home). Not created here.
std::filesystem::path cacheDirectory();

}  // namespace ddpm
