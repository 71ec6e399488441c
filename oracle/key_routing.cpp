#include "oracle/key_routing.h"

#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

constexpr std::uint32_t kDefaultMaxParallelismLow = 128;
constexpr std::uint32_t kDefaultMaxParallelismHigh = 32768;

}  // namespace

std::uint64_t oracle_fmix64(std::uint64_t key) {
  std::uint64_t h = key;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

std::uint32_t oracle_key_group(std::uint64_t key, std::uint32_t max_parallelism) {
  CKPT_ASSERT(max_parallelism >= 1, "routing needs a max parallelism of at least 1");
  return static_cast<std::uint32_t>(oracle_fmix64(key) % max_parallelism);
}

std::uint32_t oracle_owner_subtask(std::uint64_t key, std::uint32_t max_parallelism, std::uint32_t parallelism) {
  CKPT_ASSERT(parallelism >= 1, "routing needs a parallelism of at least 1");
  CKPT_ASSERT(parallelism <= max_parallelism, "routing needs parallelism <= max parallelism");
  const std::uint64_t group = oracle_key_group(key, max_parallelism);
  return static_cast<std::uint32_t>(group * parallelism / max_parallelism);
}

std::uint32_t oracle_resolved_max_parallelism(std::uint32_t parallelism, std::uint32_t requested) {
  if (requested != 0) return requested;
  CKPT_ASSERT(parallelism >= 1, "an operator has a parallelism of at least 1");
  const std::uint64_t wanted = std::uint64_t{parallelism} + parallelism / 2;
  std::uint64_t power = 1;
  while (power < wanted) power <<= 1;
  if (power < kDefaultMaxParallelismLow) return kDefaultMaxParallelismLow;
  if (power > kDefaultMaxParallelismHigh) return kDefaultMaxParallelismHigh;
  return static_cast<std::uint32_t>(power);
}

}  // namespace ckptsim::oracle
