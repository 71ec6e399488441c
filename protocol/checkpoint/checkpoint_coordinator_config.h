// CheckpointCoordinatorConfig: the coordinator's options, named after Flink's keys, with
// Flink's defaults. validate() checks the bounds the coordinator relies on;
// set_checkpoint_config_value() applies one "key: value" entry in Flink's syntax
// (durations like "100ms", "5 s", "1min"; a bare number is milliseconds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/base/status.h"
#include "protocol/base/time.h"

namespace ckptsim {

struct CheckpointCoordinatorConfig {
  // execution.checkpointing.interval; 0 disables periodic checkpoints (Flink's default).
  DurationNs interval_ns = 0;
  // execution.checkpointing.timeout
  DurationNs timeout_ns = 10 * kMinute;
  // execution.checkpointing.max-concurrent-checkpoints
  std::int32_t max_concurrent_checkpoints = 1;
  // execution.checkpointing.min-pause
  DurationNs min_pause_ns = 0;
  // execution.checkpointing.tolerable-failed-checkpoints
  std::int32_t tolerable_failed_checkpoints = 0;
  // execution.checkpointing.num-retained (old: state.checkpoints.num-retained)
  std::int32_t num_retained = 1;
  // Not a Flink key: the bound of the trigger request queue (Flink hard-codes 1000).
  std::size_t max_queued_requests = 1000;
  // Not a Flink key: the name prefix of this job's checkpoint blobs ("<job_id>/chk-<id>/...").
  std::string job_id = "job";
  // execution.checkpointing.incremental, in effect (a RocksDB backend): stateful tasks
  // acknowledge shared state. Tasks read it; the coordinator handles shared state in
  // either case, and only this flag makes it sweep orphaned state when the job finishes
  // (sweep_orphaned_state), so runs without it keep every effect they had before.
  bool incremental = false;
};

// Flink's smallest accepted interval and timeout (CheckpointCoordinatorConfiguration).
inline constexpr DurationNs kMinimalCheckpointTimeNs = 10 * kMillisecond;
// Flink caps min-pause at one year to avoid overflow.
inline constexpr DurationNs kMaxMinPauseNs = 365 * kDay;

Status validate(const CheckpointCoordinatorConfig& config);

// Applies `key: value` for the keys named above. kInvalidArgument for an unknown key or a
// malformed value; the config is unchanged then.
Status set_checkpoint_config_value(CheckpointCoordinatorConfig& config, std::string_view key,
                                   std::string_view value);

}  // namespace ckptsim
