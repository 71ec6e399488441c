// The replayable, partitioned input log the sources read (like a Kafka topic).
//
// Record (partition, offset) is a pure function of (seed, partition, offset): reading
// the same position twice, before and after a crash, gives the same record. This is
// the job's input, not code under test: the oracle's reference execution reads the
// same function.
//
//   key   = uniform in [0, key_count), or Zipf-skewed with `zipf_exponent` (rank 0 hottest)
//   value = 1 + (mix(seed, partition, offset) mod 1000)
//
// A partition holds `records_per_partition` records (bounded input), produced at
// `records_per_second` per partition: offset o becomes available at o / rate seconds.
#pragma once

#include <cstdint>

#include "protocol/base/time.h"
#include "protocol/env/source_log.h"
#include "protocol/runtime/record.h"
#include "protocol/base/int128.h"
#include "sim/random.h"

namespace ckptsim::sim {

enum class KeyDistribution { kUniform, kZipf };

struct InputLogSpec {
  std::uint64_t seed = 0;
  std::uint32_t partitions = 4;
  std::uint64_t records_per_partition = 10'000;
  std::uint64_t records_per_second = 100'000;   // per partition; 0 = all available at once
  std::uint64_t key_count = 1'000;
  KeyDistribution key_distribution = KeyDistribution::kUniform;
  double zipf_exponent = 1.1;
};

class InputLog final : public SourceLog {
 public:
  explicit InputLog(const InputLogSpec& spec);
  const InputLogSpec& spec() const { return spec_; }
  std::uint32_t partition_count() const override { return spec_.partitions; }
  std::uint64_t partition_length(std::uint32_t partition) const override;
  Record read(std::uint32_t partition, std::uint64_t offset) const override;
  TimeNs available_at_ns(std::uint64_t offset) const override;
  std::uint64_t total_records() const { return spec_.records_per_partition * spec_.partitions; }

 private:
  InputLogSpec spec_;
  ZipfDistribution zipf_;
};

}  // namespace ckptsim::sim
