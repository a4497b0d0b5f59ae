#pragma once
// A small text file read whole (a config.json, a tokenizer's vocabulary), with the
// checks every reader of user files needs: a regular file (a named pipe would
// hang), no larger than `limit`.
#include <cstdint>
#include <string>

namespace ddpm {

// Throws std::runtime_error "PATH: REASON" (missing, not a regular file, larger than
// limit, unreadable).
std::string readTextFile(const std::string& path, uint64_t limit);

}  // namespace ddpm
