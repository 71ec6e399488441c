// The coordinator's two outward-facing interfaces.
//
// CheckpointTaskGateway: how the coordinator talks to tasks. Calls are fire-and-forget
// (in a cluster they are RPCs that may be lost); the coordinator never relies on delivery.
// Implementations must not call back into the coordinator synchronously.
//
// CheckpointCoordinatorListener: observation hooks for tests and for an external oracle
// that checks protocol invariants independently of the coordinator. Hooks run after the
// coordinator's state already reflects the event and must not call back into it.
// Ordering guarantees:
//  * on_triggered(id, trigger_time) is reported once the id is durable, just before the
//    source tasks are triggered; it precedes every other hook for id. Announced ids
//    strictly increase, also across JobManager restarts. trigger_time is when the
//    trigger started (<= now); min-pause holds between the end of the previous checkpoint
//    and trigger_time of a periodic checkpoint.
//  * each announced id ends in exactly one of on_completed / on_aborted (unless the
//    coordinator object is destroyed first); the hook runs before tasks are notified;
//  * on_completed ids strictly increase; on_subsumed(id) follows on_completed(id) and is
//    reported when the checkpoint leaves the retained set (its blobs are then removed);
//  * on_request_dropped(reason) reports a trigger request that failed before its id was
//    durable: refused by the decider, no deployment, or ended (e.g. expired) while its id
//    was being persisted. Such ids were never announced and may be reused after a restart.
#pragma once

#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

class CheckpointTaskGateway {
 public:
  virtual ~CheckpointTaskGateway() = default;
  // Asks a source task to inject barriers for checkpoint `id`, stamped `timestamp_ns`.
  virtual void trigger_checkpoint(TaskRef source_task, CheckpointId id, TimeNs timestamp_ns) = 0;
  // Best effort: checkpoint `id` completed (it subsumes every lower id).
  virtual void notify_checkpoint_complete(TaskRef task, CheckpointId id) = 0;
  // Best effort: checkpoint `id` was aborted. Does not mean its data must be discarded.
  // `latest_completed_id` is the latest completed checkpoint (kNoCheckpointId if none):
  // a task that missed that completion's notification treats this as one (Flink's
  // notifyCheckpointAbortAsync carries it for the same reason), so one lost
  // notify-complete never leaves committable data waiting forever.
  virtual void notify_checkpoint_aborted(TaskRef task, CheckpointId id, CheckpointId latest_completed_id) = 0;
};

class CheckpointCoordinatorListener {
 public:
  virtual ~CheckpointCoordinatorListener() = default;
  virtual void on_triggered(CheckpointId /*id*/, TimeNs /*trigger_time_ns*/) {}
  virtual void on_completed(const CompletedCheckpoint& /*checkpoint*/) {}
  virtual void on_aborted(CheckpointId /*id*/, CheckpointFailureReason /*reason*/) {}
  virtual void on_subsumed(CheckpointId /*id*/) {}
  virtual void on_request_dropped(CheckpointFailureReason /*reason*/) {}
};

}  // namespace ckptsim
