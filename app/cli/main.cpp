// ddpm: the headless command-line tool. A thin consumer of core/.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/ArgParser.h"
#include "cli/Commands.h"
#include "cli/OptionTable.h"
#include "core/Version.h"
#include "util/MemoryAllocator.h"
#include "util/Threads.h"

using namespace ddpm::cli;

const std::vector<Verb>& ddpm::cli::verbs() {
    static const std::vector<Verb> list = {
        {"info", runInfo},
        {"train", runTrain},
        {"train-vae", runTrainVae},
        {"sample", runSample},
        {"noise", runNoise},
        {"export", runExport},
        {"import", runImport},
        {"eval", runEval},
        {"encode-text", runEncodeText},
        {"train-classifier", runTrainClassifier},
        {"bench", runBench},
    };
    return list;
}

namespace {

void printUsage(std::ostream& out) {
    out << "usage: ddpm [--help] [--version] VERB [ARGS...]\n\n"
           "DDPM Studio's command-line tool: denoising diffusion models, headless.\n\nverbs:\n";
    size_t width = 0;
    for (const auto& v : verbTable()) width = std::max(width, std::string(v.name).size());
    for (const auto& v : verbTable()) {
        const std::string name = v.name;
        out << "  " << name << std::string(width + 2 - name.size(), ' ') << v.summary << "\n";
    }
    out << "\n'ddpm VERB --help' describes a verb.\n";
}

}  // namespace

int main(int argc, char** argv) {
    // The verbs that compute for minutes share the cores politely; quick ones skip the restart,
    // and so do bench's measurements, which run in the environment bench gives them.
    if (argc > 1) {
        const std::string verb = argv[1];
        const bool benchChild = verb == "bench" && std::any_of(argv + 2, argv + argc, [](const char* a) {
                                    return std::string(a) == "--child";
                                });
        if ((verb == "train" || verb == "train-vae" || verb == "sample" || verb == "eval" || verb == "train-classifier" || verb == "bench") &&
            !benchChild)
            ddpm::restartWithPassiveOpenMpWaiting(argv);
    }
    ddpm::keepFreedMemoryInProcess();
    Args args(argv + 1, argv + argc);
    if (args.empty()) {
        printUsage(std::cerr);
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(std::cout);
        return 0;
    }
    if (args[0] == "--version") {
        std::cout << "ddpm " << ddpm::versionString() << "\n";
        return 0;
    }
    for (const auto& v : verbs()) {
        if (args[0] != v.name) continue;
        try {
            return v.run(Args(args.begin() + 1, args.end()));
        } catch (const HelpRequested& help) {
            std::cout << help.text;
            return 0;
        } catch (const UsageError& e) {
            std::cerr << "ddpm " << v.name << ": error: " << e.what() << "\n(see 'ddpm " << v.name << " --help')\n";
            return 2;
        } catch (const std::exception& e) {
            std::cerr << "ddpm: error: " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "ddpm: error: unknown verb '" << args[0] << "'\n";
    printUsage(std::cerr);
    return 2;
}
