#pragma once
// ddpm train --nproc N: this program started N times on this machine as the ranks
// of one data-parallel run, the way torchrun starts them (the same environment
// variables), with the rendezvous hosted here.
#include <string>
#include <vector>

namespace ddpm::cli {

// Starts ranks 0…count-1 with `args` (the verb and its options, without --nproc), waits
// for all of them and returns 0 when all succeeded. When one fails, the others stop on
// their own within timeoutSeconds (their collectives fail); any still running a while
// later is killed. Each failure is reported on stderr with the rank and its cause.
int runLocalRanks(int count, const std::vector<std::string>& args, double timeoutSeconds);

}  // namespace ddpm::cli
