// Grouping records by lineage (source partition, offset) in linear time, for the exact
// output checks. A lineage's slot is partition * records_per_partition + offset; records
// whose lineage lies outside the input share the last slot (they are unexpected anyway).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/external/input_log.h"

namespace ckptsim::oracle {

// Above this many slots, grouping sorts instead of counting (bounded memory).
inline constexpr std::uint64_t kLineageSlotsCountingMax = std::uint64_t{1} << 27;

inline std::uint64_t lineage_slot_count(const sim::InputLogSpec& input) {
  return std::uint64_t{input.partitions} * input.records_per_partition + 1;
}

inline std::uint64_t lineage_slot(const sim::InputLogSpec& input, std::uint32_t partition, std::uint64_t offset) {
  if (partition >= input.partitions || offset >= input.records_per_partition) {
    return std::uint64_t{input.partitions} * input.records_per_partition;
  }
  return std::uint64_t{partition} * input.records_per_partition + offset;
}

// Indices 0..count-1 stably ordered by slot_of(index) in [0, slots).
template <typename SlotOf>
std::vector<std::uint32_t> order_by_slot(std::size_t count, std::uint64_t slots, const SlotOf& slot_of) {
  std::vector<std::uint32_t> order(count);
  if (slots > kLineageSlotsCountingMax) {
    for (std::uint32_t i = 0; i < count; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return slot_of(a) < slot_of(b); });
    return order;
  }
  std::vector<std::uint32_t> start(slots + 1, 0);
  for (std::size_t i = 0; i < count; ++i) ++start[slot_of(i) + 1];
  for (std::uint64_t s = 0; s < slots; ++s) start[s + 1] += start[s];
  for (std::size_t i = 0; i < count; ++i) order[start[slot_of(i)]++] = static_cast<std::uint32_t>(i);
  return order;
}

}  // namespace ckptsim::oracle
