#pragma once

namespace ddpm {

// LibTorch's CPU allocator hands every freed tensor straight back to malloc.
// With glibc's defaults the big blocks (activations of a batch) go back to the
// kernel on free and each step faults all their pages in again: a third to
// two thirds of DDIM sampling time here. This keeps freed blocks in the
// process (blocks up to 32 MiB come from the heap, which is not trimmed, and
// the other threads' heaps are kept when they empty).
// Call once at the start of main(); a no-op outside glibc.
void keepFreedMemoryInProcess();

}  // namespace ddpm
