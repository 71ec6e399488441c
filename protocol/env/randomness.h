// The protocol's only source of randomness (jitter, buggify-style variable choices).
// In simulation it is a deterministic per-process stream derived from the run's seed.
#pragma once

#include <cstdint>

namespace ckptsim {

class Randomness {
 public:
  virtual ~Randomness() = default;
  virtual std::uint64_t next_u64() = 0;
  // Uniform in [0, bound), bound > 0, without modulo bias.
  virtual std::uint64_t uniform_below(std::uint64_t bound) = 0;
};

}  // namespace ckptsim
