#pragma once
// The ddpm verbs. Each takes its own arguments (after the verb), prints its
// result on stdout and returns the exit status; errors are thrown and turned
// into "ddpm: error: ..." by main().
#include <string>
#include <vector>

namespace ddpm::cli {

using Args = std::vector<std::string>;

int runInfo(const Args& args);
int runTrain(const Args& args);
int runTrainVae(const Args& args);
int runSample(const Args& args);
int runNoise(const Args& args);
int runExport(const Args& args);
int runImport(const Args& args);
int runEval(const Args& args);
int runEncodeText(const Args& args);
int runTrainClassifier(const Args& args);
int runBench(const Args& args);

// A verb's implementation. Its summary, usage and options are in the option
// table (cli/OptionTable.h), which lists the verbs in 'ddpm --help' order.
struct Verb {
    const char* name;
    int (*run)(const Args&);
};
const std::vector<Verb>& verbs();

}  // namespace ddpm::cli
