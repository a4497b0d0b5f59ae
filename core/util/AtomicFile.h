#pragma once
// Writes a file so that readers see either the old content or the complete new
// one, never a half-written file: write to a temporary beside it, flush it to
// disk, rename over the target.
#include <functional>
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

// writer(temporaryPath) must create the whole file there; if it throws, the
// temporary is removed and the target is left as it was.
void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& writer);
// The whole file in one go. Throws std::runtime_error naming the path, and for a full disk
// the folder and the space needed; the temporary is removed and the target left as it was.
void writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes);

// Removes the temporaries that writers killed before their rename left in `folder`
// (".NAME.tmp-PID" of processes that no longer run). Returns how many it removed.
int removeStaleTemporaries(const std::string& folder);

// Flushes a written file's data to the disk (fsync); throws naming the path.
void syncFile(const std::string& path);

// Creates the folder (and its parents) unless it exists; throws std::runtime_error naming it.
void ensureFolder(const std::string& path);

}  // namespace ddpm
