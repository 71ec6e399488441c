// The oracle's own copy of Flink's key-group routing (KeyGroupRangeAssignment).
//
// The oracle must not trust the code it judges, so it re-derives which subtask owns a
// key instead of calling protocol/graph/key_groups.h:
//   key group      = fmix64(key) % max_parallelism      (MurmurHash3's 64-bit finalizer)
//   operator index = key_group * parallelism / max_parallelism
//   default max parallelism = round_up_to_power_of_two(p + p / 2) clamped to [128, 32768]
// A test checks that both implementations agree on many keys; if they ever disagree, one
// of them is wrong and the oracle reports routing violations instead of silently agreeing.
#pragma once

#include <cstdint>

namespace ckptsim::oracle {

// MurmurHash3's fmix64.
std::uint64_t oracle_fmix64(std::uint64_t key);

// Precondition: max_parallelism >= 1.
std::uint32_t oracle_key_group(std::uint64_t key, std::uint32_t max_parallelism);

// Precondition: 1 <= parallelism <= max_parallelism.
std::uint32_t oracle_owner_subtask(std::uint64_t key, std::uint32_t max_parallelism, std::uint32_t parallelism);

// The max parallelism an operator runs with: `requested`, or Flink's default when 0.
std::uint32_t oracle_resolved_max_parallelism(std::uint32_t parallelism, std::uint32_t requested);

}  // namespace ckptsim::oracle
