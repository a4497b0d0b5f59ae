#pragma once
// Reading a run's metrics.csv back (its writer is RunDriver's): the loss curve of a
// resumed run, and of a run another process writes. No torch here: the GUI uses it.
#include <cstdint>
#include <string>
#include <vector>

namespace ddpm {

struct MetricsRow {
    int64_t step = 0;
    double wallSeconds = 0, loss = 0, learningRate = 0, gradNorm = 0, imagesPerSecond = 0;
};

// The complete rows of a metrics.csv (kMetricsHeader) up to lastStep (every row when it is
// negative). A torn last row is left out; an unreadable file or another header gives none.
std::vector<MetricsRow> readMetricsRows(const std::string& path, int64_t lastStep = -1);

}  // namespace ddpm
