#include "image/SampleFiles.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "image/ImageGrid.h"
#include "util/AtomicFile.h"

namespace ddpm {

void writeSamples(const torch::Tensor& samples, const SampleSpace& space, const std::string& path,
                  const std::map<std::string, std::string>& parameters, int columns) {
    if (space.isPoints()) {
        const auto p = samples.to(torch::kCPU, torch::kFloat).contiguous();
        writeFileAtomically(path, [&](const std::string& temporary) {
            std::ofstream out(temporary);
            out << "x,y\n";
            const float* d = p.data_ptr<float>();
            char line[64];
            for (int64_t i = 0; i < p.size(0); ++i) {
                std::snprintf(line, sizeof line, "%.6f,%.6f\n", d[2 * i], d[2 * i + 1]);
                out << line;
            }
            if (!out.flush()) throw std::runtime_error(path + ": cannot write");
        });
        return;
    }
    if (columns <= 0) columns = int(std::ceil(std::sqrt(double(samples.size(0)))));
    writePng(path, makeGrid(samples, columns), parameters);
}

}  // namespace ddpm
