#include "cli/SampleOutput.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "image/ImageGrid.h"
#include "sampling/Sampler.h"
#include "training/Trainer.h"
#include "util/AtomicFile.h"

namespace ddpm::cli {

void writeSamples(const torch::Tensor& samples, bool points, const std::string& path,
                  const std::map<std::string, std::string>& parameters) {
    if (points) {
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
    const int columns = int(std::ceil(std::sqrt(double(samples.size(0)))));
    writePng(path, makeGrid(samples, columns), parameters);
}

std::string writeSampleGrid(Trainer& trainer, const std::string& path) {
    SamplerConfig sc;
    sc.kind = SamplerKind::Ddim;
    sc.steps = 50;
    sc.count = 64;
    sc.precision = trainer.config().train.precision;
    const bool points = trainer.config().data.points;
    if (points) sc.count = 2000;
    const auto samples = sample(trainer.emaModel(), trainer.schedule(), trainer.config().objective, sc);
    const std::string target =
        points ? std::filesystem::path(path).replace_extension(".csv").string() : path;
    writeSamples(samples, points, target,
                 {{"ddpm:sampler", "ddim"}, {"ddpm:steps", "50"}, {"ddpm:seed", "0"},
                  {"ddpm:train_step", std::to_string(trainer.progress().step)}});
    return target;
}

}  // namespace ddpm::cli
