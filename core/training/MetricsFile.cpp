#include "training/MetricsFile.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "training/RunFolder.h"

namespace ddpm {

std::string metricsHeader(const std::vector<std::string>& extraColumns) {
    std::string header = kMetricsHeader;
    for (const std::string& column : extraColumns) header += "," + column;
    return header;
}

std::string metricsLine(const MetricsRow& r) {
    char line[200];
    std::snprintf(line, sizeof line, "%lld,%.3f,%.6g,%.6g,%.6g,%.2f", (long long)r.step, r.wallSeconds, r.loss,
                  r.learningRate, r.gradNorm, r.imagesPerSecond);
    std::string text = line;
    for (double value : r.extra) {
        std::snprintf(line, sizeof line, ",%.6g", value);
        text += line;
    }
    return text + "\n";
}

std::optional<std::vector<std::string>> readMetricsLines(const std::string& path, int64_t lastStep) {
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line) || !isMetricsHeader(line)) return std::nullopt;
    std::vector<std::string> rows;
    while (std::getline(in, line)) {
        if (in.eof()) break;   // no newline after it: a row being written, or torn
        const long long step = std::strtoll(line.c_str(), nullptr, 10);
        if (step < 1 || (lastStep >= 0 && step > lastStep)) break;
        rows.push_back(line);
    }
    return rows;
}

bool isMetricsHeader(const std::string& line) {
    const std::string common = kMetricsHeader;
    return line == common || line.rfind(common + ",", 0) == 0;
}

std::optional<MetricsRow> parseMetricsLine(const std::string& line) {
    MetricsRow r;
    long long step = 0;
    int consumed = 0;
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf,%lf%n", &step, &r.wallSeconds, &r.loss, &r.learningRate,
                    &r.gradNorm, &r.imagesPerSecond, &consumed) != 6 || step < 1)
        return std::nullopt;
    r.step = step;
    for (const char* rest = line.c_str() + consumed; *rest == ',';) {
        char* end = nullptr;
        r.extra.push_back(std::strtod(rest + 1, &end));
        if (end == rest + 1) break;
        rest = end;
    }
    return r;
}

std::vector<MetricsRow> readMetricsRows(const std::string& path, int64_t lastStep) {
    std::vector<MetricsRow> rows;
    for (const std::string& line : readMetricsLines(path, lastStep).value_or(std::vector<std::string>{}))
        if (auto row = parseMetricsLine(line)) rows.push_back(*row);
    return rows;
}

}  // namespace ddpm
