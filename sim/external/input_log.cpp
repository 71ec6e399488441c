#include "sim/external/input_log.h"

namespace ckptsim::sim {
namespace {

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

InputLog::InputLog(const InputLogSpec& spec)
    : spec_(spec), zipf_(spec.key_count == 0 ? 1 : spec.key_count, spec.zipf_exponent > 0 ? spec.zipf_exponent : 1.0) {
  CKPT_ASSERT(spec_.partitions > 0, "an input log has at least one partition");
  CKPT_ASSERT(spec_.key_count > 0, "an input log has at least one key");
}

std::uint64_t InputLog::partition_length(std::uint32_t partition) const {
  CKPT_ASSERT(partition < spec_.partitions, "partition out of range");
  return spec_.records_per_partition;
}

Record InputLog::read(std::uint32_t partition, std::uint64_t offset) const {
  CKPT_ASSERT(partition < spec_.partitions, "partition out of range");
  CKPT_ASSERT(offset < spec_.records_per_partition, "offset out of range");
  // A fresh generator per record keeps every record a pure function of its address.
  const std::uint64_t address_seed = mix64(spec_.seed ^ mix64((static_cast<std::uint64_t>(partition) << 40) ^ offset));
  Rng rng(address_seed);
  Record record;
  record.partition = partition;
  record.offset = offset;
  record.value = 1 + static_cast<std::int64_t>(rng.uniform_below(1000));
  record.key = spec_.key_distribution == KeyDistribution::kZipf ? zipf_.sample(rng) : rng.uniform_below(spec_.key_count);
  return record;
}

TimeNs InputLog::available_at_ns(std::uint64_t offset) const {
  if (spec_.records_per_second == 0) return 0;
  return static_cast<TimeNs>((static_cast<Uint128>(offset) * kSecond) / spec_.records_per_second);
}

}  // namespace ckptsim::sim
