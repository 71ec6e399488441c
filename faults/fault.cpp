#include "faults/fault.h"

namespace ckptsim::faults {

std::optional<TimeNs> Fault::heal_ns() const {
  if (spec_.duration_ns <= 0) return std::nullopt;
  CKPT_ASSERT(spec_.duration_ns <= kTimeNever - spec_.at_ns, "a fault's end overflows time");
  return spec_.at_ns + spec_.duration_ns;
}

}  // namespace ckptsim::faults
