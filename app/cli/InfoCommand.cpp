// ddpm info DATASET: what a dataset holds.
#include <iomanip>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/Commands.h"
#include "data/DatasetLoader.h"

namespace ddpm::cli {

namespace {

void printDataset(const Dataset& d) {
    std::cout << "dataset    " << d.name << " (" << d.format << ")\n"
              << "source     " << d.source << "\n";
    if (d.isPoints()) {
        std::cout << "points     " << d.count << " (2-D)\n";
    } else {
        std::cout << "images     " << d.count << ", " << d.width << "x" << d.height << "x" << d.channels
                  << (d.channels == 1 ? " (grey)" : " (RGB)") << "\n";
    }
    if (d.hasLabels()) {
        std::cout << "classes    " << d.numClasses() << "\n";
        const auto counts = d.classCounts();
        for (int c = 0; c < d.numClasses(); ++c)
            std::cout << "  " << std::setw(4) << c << "  " << std::left << std::setw(16) << d.classNames[size_t(c)]
                      << std::right << std::setw(8) << counts[size_t(c)] << "\n";
    } else {
        std::cout << "classes    none (unlabelled)\n";
    }
    std::cout << "split      " << d.trainCount << " train, " << d.heldOutCount() << " held out\n";
    std::cout << "skipped    " << d.skipped.size() << " file" << (d.skipped.size() == 1 ? "" : "s") << "\n";
    for (const auto& s : d.skipped) std::cout << "  " << s.path << ": " << s.reason << "\n";
}

}  // namespace

int runInfo(const Args& args) {
    ArgParser p("ddpm info DATASET [--resolution R]",
                "Describe a dataset: a folder or file (IDX, CIFAR binary, images) or a built-in name\n"
                "(mnist, fashion-mnist, toy:gmm8, toy:gmm25, toy:moons, toy:swissroll, toy:rings).");
    p.positional("DATASET", "path or built-in name")
        .option("resolution", "R", "image folders: resize and crop to 28, 32 or 64", "64");
    p.parse(args);
    LoadOptions options;
    options.resolution = p.getInt("resolution", 28, 64);
    printDataset(loadDataset(p.get("DATASET"), options));
    return 0;
}

}  // namespace ddpm::cli
