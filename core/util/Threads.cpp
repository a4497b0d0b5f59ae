#include "util/Threads.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <ATen/Parallel.h>

namespace ddpm {

void configureThreads(int threads) {
    at::set_num_threads(threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency())));
    // Looked up at run time: official LibTorch builds use MKL instead.
    using SetThreads = void (*)(int);
    if (auto openblasSetThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        openblasSetThreads(1);
}

void restartWithPassiveOpenMpWaiting(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY")) return;
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    ::execv("/proc/self/exe", argv);   // only returns on failure: then go on as we are
}

}  // namespace ddpm
