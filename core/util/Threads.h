#pragma once

namespace ddpm {

// Sets LibTorch's intra-op threads (0 = every core) and keeps a BLAS library
// with its own thread pool (OpenBLAS) to one thread: LibTorch already runs
// in parallel around it, and two pools fighting for two cores made training
// about twice as slow here.
void configureThreads(int threads);

}  // namespace ddpm
