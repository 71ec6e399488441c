// Observation hooks for an independent oracle. The runtime reports, at the moment they
// happen, the logical content of what it snapshots, restores and ends with; it never
// reads anything back from the observer. A real runtime passes no observer.
// A new hook must also be forwarded by reports/runtime_observer_tee.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/graph/job_graph.h"

namespace ckptsim {

struct KeyedAggregateEntry {
  std::uint64_t key = 0;
  std::uint64_t count = 0;
  std::int64_t sum = 0;
  friend bool operator==(const KeyedAggregateEntry&, const KeyedAggregateEntry&) = default;
};

// The logical state of one subtask's operator. Only the fields of its kind are used.
struct OperatorStateView {
  std::string operator_name;
  OperatorKind kind = OperatorKind::kMap;
  std::uint32_t subtask_index = 0;                                   // within the operator
  std::vector<std::pair<std::uint32_t, std::uint64_t>> source_next_offsets;  // (partition, next offset), by partition
  std::vector<KeyedAggregateEntry> keyed_aggregates;                 // sorted by key
  std::uint64_t sequence_violations = 0;
  std::vector<std::string> pending_transactions;                     // 2PC sink: pre-committed, not yet committed
};

class RuntimeObserver {
 public:
  virtual ~RuntimeObserver() = default;
  // The synchronous phase of a snapshot captured exactly this state.
  virtual void on_snapshot_captured(TaskRef /*task*/, CheckpointId /*id*/, const OperatorStateView& /*state*/) {}
  // A task was restored from checkpoint `id` (kNoCheckpointId: started empty).
  virtual void on_task_restored(TaskRef /*task*/, CheckpointId /*id*/, const OperatorStateView& /*state*/) {}
  // A task consumed all its input and ended with this state.
  virtual void on_task_finished(TaskRef /*task*/, const OperatorStateView& /*state*/) {}
  // The 2PC sink asked the store to commit `transaction` because checkpoint `id` completed
  // (or, with id from a restore, during recover-and-commit).
  virtual void on_commit_requested(TaskRef /*task*/, CheckpointId /*id*/, const std::string& /*transaction*/) {}
  // The JobManager chose this checkpoint to restore the job from (kNoCheckpointId: none).
  virtual void on_job_restore(CheckpointId /*id*/, std::uint32_t /*attempt*/) {}
  // The job finished: every task consumed all its input.
  virtual void on_job_finished() {}
  // The job reached the terminal state FAILED after `failures` failures in this
  // JobManager's life: its restart strategy gave up, or the JobManager gave up
  // recovering its checkpoint metadata (then `failures` is 0).
  virtual void on_job_failed(std::uint32_t /*failures*/) {}
  // A source task emitted `records` records of its input in one step (for throughput).
  virtual void on_source_emitted(TaskRef /*task*/, std::uint64_t /*records*/) {}
  // The task stopped processing because an output queue is full (true), or a returned
  // credit left no queue full (false). May repeat the current value; for reports only.
  virtual void on_task_backpressure(TaskRef /*task*/, bool /*backpressured*/) {}
};

}  // namespace ckptsim
