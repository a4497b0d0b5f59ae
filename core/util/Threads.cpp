#include "util/Threads.h"

#include <dlfcn.h>

#include <algorithm>
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

}  // namespace ddpm
