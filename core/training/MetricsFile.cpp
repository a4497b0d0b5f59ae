#include "training/MetricsFile.h"

#include <cstdio>
#include <fstream>

#include "training/RunFolder.h"

namespace ddpm {

std::vector<MetricsRow> readMetricsRows(const std::string& path, int64_t lastStep) {
    std::vector<MetricsRow> rows;
    std::ifstream in(path);
    std::string line;
    if (!std::getline(in, line) || line != kMetricsHeader) return rows;
    while (std::getline(in, line)) {
        if (in.eof()) break;   // no newline after it: a row being written, or torn
        MetricsRow r;
        long long step = 0;
        if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lf,%lf", &step, &r.wallSeconds, &r.loss, &r.learningRate,
                        &r.gradNorm, &r.imagesPerSecond) != 6)
            continue;
        r.step = step;
        if (lastStep >= 0 && r.step > lastStep) break;
        rows.push_back(r);
    }
    return rows;
}

}  // namespace ddpm
