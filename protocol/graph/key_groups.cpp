#include "protocol/graph/key_groups.h"

#include <algorithm>

#include "protocol/base/assert.h"

namespace ckptsim {
namespace {

void check_parallelism_preconditions(std::uint32_t max_parallelism, std::uint32_t parallelism) {
  CKPT_ASSERT(parallelism >= 1, "parallelism must be at least 1");
  CKPT_ASSERT(parallelism <= max_parallelism, "parallelism must not exceed max parallelism");
  CKPT_ASSERT(max_parallelism <= kMaxParallelismUpperBound, "max parallelism above the upper bound");
}

}  // namespace

std::uint64_t mix_key_hash(std::uint64_t key) {
  std::uint64_t hash = key;
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return hash;
}

std::uint32_t key_group_for_key(std::uint64_t key, std::uint32_t max_parallelism) {
  CKPT_ASSERT(max_parallelism >= 1, "max parallelism must be at least 1");
  CKPT_ASSERT(max_parallelism <= kMaxParallelismUpperBound, "max parallelism above the upper bound");
  return static_cast<std::uint32_t>(mix_key_hash(key) % max_parallelism);
}

std::uint32_t operator_index_for_key_group(std::uint32_t max_parallelism, std::uint32_t parallelism,
                                           std::uint32_t key_group) {
  check_parallelism_preconditions(max_parallelism, parallelism);
  CKPT_ASSERT(key_group < max_parallelism, "key group out of range");
  const std::uint64_t index = std::uint64_t{key_group} * parallelism / max_parallelism;
  CKPT_ASSERT(index < parallelism, "operator index must lie below the parallelism");
  return static_cast<std::uint32_t>(index);
}

std::uint32_t operator_index_for_key(std::uint64_t key, std::uint32_t max_parallelism,
                                     std::uint32_t parallelism) {
  return operator_index_for_key_group(max_parallelism, parallelism, key_group_for_key(key, max_parallelism));
}

KeyGroupRange key_group_range_for_operator_index(std::uint32_t max_parallelism, std::uint32_t parallelism,
                                                 std::uint32_t operator_index) {
  check_parallelism_preconditions(max_parallelism, parallelism);
  CKPT_ASSERT(operator_index < parallelism, "operator index out of range");
  // 64-bit products: (index + 1) * max_parallelism reaches 2^30 at the bounds, and
  // staying in 64 bits keeps the arithmetic obviously overflow-free.
  const std::uint64_t max_p = max_parallelism;
  const std::uint64_t p = parallelism;
  const std::uint64_t start = (operator_index * max_p + p - 1) / p;
  const std::uint64_t end_inclusive = ((operator_index + 1) * max_p - 1) / p;
  CKPT_ASSERT(start <= end_inclusive, "a range is never empty when parallelism <= max parallelism");
  CKPT_ASSERT(end_inclusive < max_p, "a range ends inside [0, max parallelism)");
  return KeyGroupRange{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end_inclusive)};
}

std::uint32_t round_up_to_power_of_two(std::uint32_t value) {
  CKPT_ASSERT(value >= 1, "round_up_to_power_of_two needs a positive value");
  CKPT_ASSERT(value <= (std::uint32_t{1} << 31), "round_up_to_power_of_two would overflow 32 bits");
  std::uint32_t power = 1;
  while (power < value) power <<= 1;
  return power;
}

std::uint32_t default_max_parallelism(std::uint32_t parallelism) {
  CKPT_ASSERT(parallelism >= 1, "parallelism must be at least 1");
  CKPT_ASSERT(parallelism <= kMaxParallelismUpperBound, "parallelism above the upper bound");
  const std::uint32_t rounded = round_up_to_power_of_two(parallelism + parallelism / 2);
  return std::clamp(rounded, kMaxParallelismDefaultLowerBound, kMaxParallelismUpperBound);
}

}  // namespace ckptsim
