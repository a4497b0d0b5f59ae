#pragma once
// Runs a program to completion and returns its output, exit status and peak
// resident memory (POSIX fork/exec/wait4): the benchmark runs every measurement
// in its own process so that each peak-memory figure is that measurement's alone.
#include <string>
#include <vector>

namespace ddpm::cli {

struct ChildResult {
    int exitCode = -1;          // -1: did not start or was killed by a signal
    std::string output;         // stdout and stderr together
    double peakRssMb = 0;       // the child's maximum resident set size
};

ChildResult runChild(const std::vector<std::string>& argv);

// This executable's own path (for re-running ddpm as a child).
std::string selfExecutable();

}  // namespace ddpm::cli
