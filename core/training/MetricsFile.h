#pragma once
// A run's metrics.csv (columns: kMetricsHeader, training/RunFolder.h, then the
// job's own, e.g. an autoencoder's l1,psnr,kl): the form of
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
    std::vector<double> extra;   // the job's own columns
};

// kMetricsHeader followed by the job's own columns.
std::string metricsHeader(const std::vector<std::string>& extraColumns);

// One row as metrics.csv holds it, newline included.
std::string metricsLine(const MetricsRow& row);

// The whole rows of a metrics.csv, as written, up to lastStep (every row when it is negative):
// reading stops at a torn last row (no newline) or a line without a step. nullopt when the
// file cannot be read or its header does not begin with kMetricsHeader.
std::optional<std::vector<std::string>> readMetricsLines(const std::string& path, int64_t lastStep = -1);

// A header line of metrics.csv: kMetricsHeader, maybe followed by a job's own columns.
bool isMetricsHeader(const std::string& line);

// One row (without its newline); nullopt when it does not hold the six common columns.
std::optional<MetricsRow> parseMetricsLine(const std::string& line);

// Those rows parsed (the common columns, and the job's own in extra); a line that does not
// hold the six common columns is left out.
std::vector<MetricsRow> readMetricsRows(const std::string& path, int64_t lastStep = -1);

}  // namespace ddpm
