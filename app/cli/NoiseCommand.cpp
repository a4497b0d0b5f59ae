// ddpm noise: the forward-noising strip q(x_t | x_0) of one dataset item.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <torch/torch.h>

#include "cli/ArgParser.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "diffusion/NoiseSchedule.h"
#include "image/ImageGrid.h"
#include "image/ImageTensors.h"
#include "random/Generators.h"
#include "util/AtomicFile.h"

namespace ddpm::cli {

int runNoise(const Args& args) {
    ArgParser p = verbParser("noise");
    p.parse(args);
    if (!p.has("data")) throw UsageError("--data is required");
    if (!p.has("out")) throw UsageError("-o OUT is required");
    const ScheduleConfig sc = scheduleFromOptions(p);
    const NoiseSchedule schedule(sc);
    const std::vector<int> steps = intListOption(p, "t");
    if (steps.empty()) throw UsageError("--t needs at least one step, e.g. 0,250,500,999");
    for (int t : steps)
        if (t < 0 || t >= sc.timesteps)
            throw UsageError("--t: step " + std::to_string(t) + " is outside 0…" + std::to_string(sc.timesteps - 1));
    const Dataset data = loadDatasetWithProgress(p.get("data"), p.getInt("resolution", 28, 64));
    auto generator = makeGenerator(uint64_t(p.getInt64("seed", 0, 1ll << 62)));

    if (data.isPoints()) {
        const auto x0 = torch::from_blob(const_cast<float*>(data.points.data()), {data.count, 2}, torch::kFloat);
        const auto noise = torch::randn({data.count, 2}, generator, torch::kFloat);
        writeFileAtomically(p.get("out"), [&](const std::string& temporary) {
            std::ofstream out(temporary);
            out << "t,x,y\n";
            for (int t : steps) {
                const auto xt = schedule.qSample(x0, torch::full({data.count}, t, torch::kInt64), noise).contiguous();
                const float* d = xt.data_ptr<float>();
                for (int64_t i = 0; i < data.count; ++i) out << t << "," << d[2 * i] << "," << d[2 * i + 1] << "\n";
            }
            if (!out.flush()) throw std::runtime_error(p.get("out") + ": cannot write");
        });
    } else {
        const int64_t index = p.getInt64("index", 0, data.count - 1);
        const auto x0 = toSignedUnit(datasetImages(data, index, 1));   // (1,C,H,W) in [-1,1]
        const auto noise = torch::randn(x0.sizes(), generator, torch::kFloat);
        std::vector<torch::Tensor> frames;
        for (int t : steps) frames.push_back(schedule.qSample(x0, torch::full({1}, t, torch::kInt64), noise));
        writePng(p.get("out"), makeGrid(torch::cat(frames).clamp(-1, 1), int(frames.size())),
                 {{"ddpm:t", p.get("t")}, {"ddpm:schedule", toString(sc.kind)}, {"ddpm:index", std::to_string(index)}});
    }
    std::cout << "wrote " << p.get("out") << "\n";
    return 0;
}

}  // namespace ddpm::cli
