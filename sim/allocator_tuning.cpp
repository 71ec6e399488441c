#include "sim/allocator_tuning.h"

#include <malloc.h>

namespace ckptsim::sim {

void configure_allocator_for_simulation() {
  // Keep freed memory in the process instead of returning it to the kernel ...
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // ... serve blocks up to 64 MiB from the heap rather than fresh mmaps ...
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  // ... and grow the heap in 64 MiB steps.
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace ckptsim::sim
