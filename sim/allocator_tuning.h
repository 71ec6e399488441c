// Process-wide allocator settings for simulation workloads.
//
// A simulation allocates and frees network buffers (32 KiB by default), transaction
// batches and snapshots at a high rate. glibc's default trimming hands freed memory at
// the top of the heap back to the kernel and serves larger blocks with mmap, so the
// same pages are faulted in again and again: a quarter of a run's time went to page
// faults. Executables (ckptsim, benchmarks) call this once at start-up; it changes
// nothing about what a simulation computes, only how fast.
#pragma once

namespace ckptsim::sim {

void configure_allocator_for_simulation();

}  // namespace ckptsim::sim
