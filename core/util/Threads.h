#pragma once

namespace ddpm {

// Sets LibTorch's intra-op threads (0 = every core) and keeps a BLAS library
// with its own thread pool (OpenBLAS) to one thread: LibTorch already runs
// in parallel around it, and two pools fighting for two cores made training
// about twice as slow here.
void configureThreads(int threads);

// LibTorch's OpenMP threads (libgomp) spin while they wait for the next parallel region.
// On an idle machine that costs nothing; when another program wants the cores, the
// spinning takes the time slices the work needed, and training fell to a quarter of its
// quiet speed next to two busy processes (docs/reliability.md). libgomp reads its wait
// policy only when it loads, so a long-running program restarts itself once, at the top
// of main(), with OMP_WAIT_POLICY=PASSIVE. A policy the user set is kept. Returns when it
// did not restart (already set, or exec failed).
void restartWithPassiveOpenMpWaiting(char** argv);

}  // namespace ddpm
