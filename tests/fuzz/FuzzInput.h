#pragma once
// Readers in core/ take paths, as users give them: a fuzz input goes to a file
// in this process's own scratch folder (on tmpfs where there is one) first.
#include <cstddef>
#include <cstdint>
#include <string>

namespace ddpm::fuzz {

// Writes the input to `name` in the scratch folder (replacing what was there) and returns its path.
std::string writeInput(const uint8_t* data, size_t size, const std::string& name);
// An empty folder in the scratch space, for readers that take a folder.
std::string emptyFolder(const std::string& name);
// The memory a reader may plan to use: far below libFuzzer's -malloc_limit_mb.
constexpr uint64_t kMemoryLimitBytes = 256ull << 20;

}  // namespace ddpm::fuzz
