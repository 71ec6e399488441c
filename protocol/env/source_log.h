// The external, replayable, partitioned log that sources read (Kafka-like): a record is
// addressed by (partition, offset) and reading the same address always gives the same
// record, so a source that rewinds to a checkpointed offset replays exactly the same
// input. Records appear over time: offset o of a partition is readable from
// available_at_ns(o) on.
#pragma once

#include <cstdint>

#include "protocol/base/time.h"
#include "protocol/runtime/record.h"

namespace ckptsim {

class SourceLog {
 public:
  virtual ~SourceLog() = default;
  virtual std::uint32_t partition_count() const = 0;
  // Number of records the partition will ever hold (bounded input).
  virtual std::uint64_t partition_length(std::uint32_t partition) const = 0;
  // Precondition: partition < partition_count(), offset < partition_length(partition).
  virtual Record read(std::uint32_t partition, std::uint64_t offset) const = 0;
  virtual TimeNs available_at_ns(std::uint64_t offset) const = 0;
};

}  // namespace ckptsim
