#pragma once
// A run's metrics.csv (columns: kMetricsHeader, training/RunFolder.h): the form of
// one row, and reading the file back, for the writer that trims it when a run
// resumes, the loss curve of a resumed run, and a run another process writes.
// No torch here: the GUI uses it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddpm {

struct MetricsRow {
    int64_t step = 0;
    double wallSeconds = 0, loss = 0, learningRate = 0, gradNorm = 0, imagesPerSecond = 0;
};

// One row as metrics.csv holds it, newline included.
std::string metricsLine(const MetricsRow& row);

// The whole rows of a metrics.csv, as written, up to lastStep (every row when it is negative):
// reading stops at a torn last row (no newline) or a line without a step. nullopt when the
// file cannot be read or has another header.
std::optional<std::vector<std::string>> readMetricsLines(const std::string& path, int64_t lastStep = -1);

// Those rows parsed; a line that does not hold all six columns is left out.
std::vector<MetricsRow> readMetricsRows(const std::string& path, int64_t lastStep = -1);

}  // namespace ddpm
