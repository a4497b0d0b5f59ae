#pragma once
// Shared pieces of the ddpm verbs.
#include <string>
#include <vector>

#include "data/Dataset.h"

namespace ddpm::cli {

// Loads a dataset, showing a progress line on stderr for slow (image folder) loads.
Dataset loadDatasetWithProgress(const std::string& pathOrName, int resolution);
std::string formatDuration(double seconds);   // "1h02m", "3m05s", "12s"
std::vector<int> parseIntList(const std::string& text, const std::string& option);
void setThreads(int threads);                 // 0 = all cores
void ensureFolder(const std::string& path);   // creates it (and parents) or throws naming it

}  // namespace ddpm::cli
