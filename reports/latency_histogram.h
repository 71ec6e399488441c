// A bounded log-linear histogram of non-negative durations (8 bins per power of two,
// relative error below 12.5%), mergeable, with nearest-rank percentiles. Integer only,
// so its percentiles are the same on every machine. Values below 8 ns are exact.
#pragma once

#include <cstdint>
#include <map>

#include "protocol/base/time.h"

namespace ckptsim::reports {

class LatencyHistogram {
 public:
  void add(DurationNs value_ns, std::uint64_t count = 1);
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  // The representative value (bin midpoint) of the nearest-rank percentile; 0 when empty.
  // Precondition: 0 < permille <= 1000.
  DurationNs percentile_ns(std::uint32_t permille) const;

 private:
  static std::uint32_t bin_of(DurationNs value_ns);
  static DurationNs midpoint_of(std::uint32_t bin);

  std::map<std::uint32_t, std::uint64_t> bins_;   // ordered: percentiles walk it in order
  std::uint64_t count_ = 0;
};

}  // namespace ckptsim::reports
