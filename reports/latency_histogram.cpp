#include "reports/latency_histogram.h"

#include <bit>

#include "protocol/base/assert.h"

namespace ckptsim::reports {

std::uint32_t LatencyHistogram::bin_of(DurationNs value_ns) {
  if (value_ns < 8) return static_cast<std::uint32_t>(value_ns < 0 ? 0 : value_ns);
  const auto v = static_cast<std::uint64_t>(value_ns);
  const auto exponent = static_cast<std::uint32_t>(63 - std::countl_zero(v));   // >= 3
  const auto sub = static_cast<std::uint32_t>((v >> (exponent - 3)) & 7u);
  return 8 + (exponent - 3) * 8 + sub;
}

DurationNs LatencyHistogram::midpoint_of(std::uint32_t bin) {
  if (bin < 8) return static_cast<DurationNs>(bin);
  const std::uint32_t exponent = (bin - 8) / 8 + 3;
  const std::uint64_t sub = (bin - 8) % 8;
  const std::uint64_t width = std::uint64_t{1} << (exponent - 3);
  const std::uint64_t lower = (8 + sub) * width;
  return static_cast<DurationNs>(lower + width / 2);
}

void LatencyHistogram::add(DurationNs value_ns, std::uint64_t count) {
  if (count == 0) return;
  bins_[bin_of(value_ns)] += count;
  count_ += count;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (const auto& [bin, n] : other.bins_) bins_[bin] += n;
  count_ += other.count_;
}

DurationNs LatencyHistogram::percentile_ns(std::uint32_t permille) const {
  CKPT_ASSERT(permille > 0, "a percentile above 0");
  CKPT_ASSERT(permille <= 1000, "a percentile at most 100%");
  if (count_ == 0) return 0;
  // Nearest rank: the smallest value with at least ceil(q * n) values at or below it.
  const std::uint64_t rank = (count_ * permille + 999) / 1000;
  std::uint64_t seen = 0;
  for (const auto& [bin, n] : bins_) {
    seen += n;
    if (seen >= rank) return midpoint_of(bin);
  }
  return midpoint_of(bins_.rbegin()->first);
}

}  // namespace ckptsim::reports
