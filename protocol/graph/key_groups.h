// Key groups: the unit in which keyed state is partitioned, so that a checkpoint taken
// at one parallelism can be restored at another (Flink's KeyGroupRangeAssignment).
//
// A key is hashed into one of `max_parallelism` key groups; key groups are split into
// `parallelism` contiguous ranges, one per operator (subtask) index. Both functions
// are pure and portable: the hash is MurmurHash3's 64-bit finalizer, never std::hash,
// so a key lands in the same key group on every platform, build and run.
//
// Preconditions on every function (programmer errors, asserted):
//   1 <= parallelism <= max_parallelism <= kMaxParallelismUpperBound,
//   key_group < max_parallelism, operator_index < parallelism.
// Validating user-supplied parallelism is the job graph builder's task (Status values).
#pragma once

#include <cstdint>

namespace ckptsim {

// Flink's bounds for the default max parallelism and the absolute upper bound.
inline constexpr std::uint32_t kMaxParallelismDefaultLowerBound = 128;
inline constexpr std::uint32_t kMaxParallelismUpperBound = 32768;

// A non-empty, contiguous, inclusive range of key groups [start, end_inclusive].
// Invariant: start <= end_inclusive.
struct KeyGroupRange {
  std::uint32_t start = 0;
  std::uint32_t end_inclusive = 0;

  bool contains(std::uint32_t key_group) const { return start <= key_group && key_group <= end_inclusive; }
  std::uint32_t size() const { return end_inclusive - start + 1; }
  friend bool operator==(const KeyGroupRange&, const KeyGroupRange&) = default;
};

// MurmurHash3's fmix64: a portable, well-mixing bijection on 64-bit values.
std::uint64_t mix_key_hash(std::uint64_t key);

// The key group of `key`: mix_key_hash(key) % max_parallelism.
std::uint32_t key_group_for_key(std::uint64_t key, std::uint32_t max_parallelism);

// The operator index owning `key_group`: key_group * parallelism / max_parallelism.
std::uint32_t operator_index_for_key_group(std::uint32_t max_parallelism, std::uint32_t parallelism,
                                           std::uint32_t key_group);

// The operator index owning `key`; the composition of the two functions above.
std::uint32_t operator_index_for_key(std::uint64_t key, std::uint32_t max_parallelism,
                                     std::uint32_t parallelism);

// The key groups owned by `operator_index`, as in Flink:
//   start = ceil(operator_index * max_parallelism / parallelism),
//   end_inclusive = ceil((operator_index + 1) * max_parallelism / parallelism) - 1.
// The ranges of all operator indices partition [0, max_parallelism), and
// operator_index_for_key_group(k) == i exactly when range(i).contains(k).
KeyGroupRange key_group_range_for_operator_index(std::uint32_t max_parallelism, std::uint32_t parallelism,
                                                 std::uint32_t operator_index);

// Flink's computeDefaultMaxParallelism: roundUpToPowerOfTwo(p + p / 2), clamped to
// [kMaxParallelismDefaultLowerBound, kMaxParallelismUpperBound].
// Precondition: 1 <= parallelism <= kMaxParallelismUpperBound.
std::uint32_t default_max_parallelism(std::uint32_t parallelism);

// The smallest power of two >= value. Precondition: 1 <= value <= 2^31.
std::uint32_t round_up_to_power_of_two(std::uint32_t value);

}  // namespace ckptsim
