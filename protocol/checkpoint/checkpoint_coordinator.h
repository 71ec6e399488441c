// CheckpointCoordinator: the JobManager side of Flink's checkpoint protocol, composed from
// small collaborators: CheckpointRequestDecider (admission), PendingCheckpoint (acks),
// CheckpointIdCounter (durable ids), CompletedCheckpointStore (retention + metadata),
// CheckpointFailureManager (tolerable failures), PeriodicTriggerTimer and
// CheckpointStateDiscarder. It reaches time, timers, randomness and storage only through
// the env interfaces and tasks only through CheckpointTaskGateway. Single-threaded.
//
// Lifecycle: kCreated --recover()--> kRecovering --ok--> kRunning --shutdown()--> kShutdown
// (a failed recovery returns to kCreated and may be retried). Triggering requires kRunning.
//
// Life of a checkpoint:
//  1. A request (periodic tick or trigger_checkpoint()) passes the decider.
//  2. Triggering: an id is reserved, a PendingCheckpoint waiting for every task of the
//     current deployment is created with its timeout, and the id is persisted. Only one
//     trigger is in flight (Flink's isTriggering). When the id is durable, on_triggered
//     is reported and the sources are triggered. A checkpoint that ends before that (it
//     expired, the write failed, a failover) is reported as a dropped request.
//  3. Acks are counted per task attempt. When all are in, the timeout is cancelled, the
//     checkpoint is finalized and its metadata written (finalizing).
//  4. When the write succeeds the checkpoint is completed: added to the store (older
//     retained ones are subsumed and their blobs removed), pending checkpoints with lower
//     ids are aborted as kCheckpointSubsumed, tasks of the current deployment get
//     notify-complete, the failure counter resets.
//  5. Aborts (timeout -> kCheckpointExpired, decline, failed id/metadata write, failover,
//     suspend, shutdown) discard the acknowledged state, notify tasks (best effort) and go
//     to the failure manager. An aborted checkpoint whose metadata write is in flight has
//     its metadata removed once the write ends, then its state.
//  6. Every completed or aborted checkpoint ends the min-pause clock (FLINK-9598); after
//     every end and every finished trigger the queued requests are reconsidered, so a
//     checkpoint expiring during its trigger cannot wedge the coordinator (FLINK-26394).
//
// Invariants (checked after every entry point):
//  * num_pending() <= max_concurrent_checkpoints; ids strictly increase, also across
//    JobManager restarts; every pending id is higher than the latest completed id.
//  * A checkpoint completes only with an ack from every task attempt it waited for, and
//    only after its metadata is durable.
//  * The latest completed checkpoint is never subsumed; blobs referenced by a retained,
//    finalizing or pending checkpoint are never removed.
//  * The periodic scheduler keeps running across failed checkpoints and failovers and can
//    be stopped and started again (FLINK-13256).
//
// Shared state (incremental checkpoints, SubtaskStateHandle::shared_blob_names):
//  * A completed checkpoint's shared blobs are registered in the SharedStateRegistry
//    when it completes, i.e. after its metadata is durable and before any older
//    checkpoint is subsumed, so a file carried over never drops to zero references.
//  * A subsumed checkpoint loses its metadata first; only when that removal succeeded is
//    it unregistered, and its private blobs plus the shared blobs whose count dropped to
//    zero are removed. A failed metadata removal keeps everything (a leak, never a
//    dangling reference).
//  * An aborted checkpoint's blobs (private and shared) are removed except those a
//    live checkpoint refers to: registered shared files and anything a pending or
//    finalizing checkpoint names.
//  * A task re-uses the shared files of the last checkpoint it was told completed. That
//    checkpoint may be subsumed (and a file only it referred to deleted) before the ack
//    of a newer checkpoint that re-uses the file arrives: with concurrent checkpoints,
//    or when a notify-complete was lost (FLINK-29913). The coordinator remembers the
//    shared blobs it deleted (the newest kMaxDeletedSharedBlobs) and aborts, with
//    kFinalizeCheckpointFailure, a checkpoint whose ack refers to one, so no completed
//    checkpoint ever refers to a deleted file; the task drops its re-use base when it
//    hears of an abort and uploads its files anew.
//  * recover() rebuilds the registry from the retained checkpoints' metadata, then
//    discards older (orphaned) checkpoints and every blob under "<job>/shared/" that no
//    retained checkpoint refers to (files of checkpoints that never completed, whose
//    uploader crashed before its ack). Uploads still in flight from tasks of before the
//    restart may land afterwards: those leak (as in Flink) until the job's next sweep.
//  * sweep_orphaned_state() (the JobManager calls it when an incremental job finished)
//    removes every shared or private blob no retained checkpoint refers to, e.g. the
//    uploads of a task that crashed after uploading but before its ack arrived.
//
// Re-entrancy: gateway, listener and fail_job callbacks must not call back into the
// coordinator synchronously (asserted). fail_job is delivered through a zero-delay timer.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/checkpoint/callback_guard.h"
#include "protocol/checkpoint/checkpoint_coordinator_config.h"
#include "protocol/checkpoint/checkpoint_failure_manager.h"
#include "protocol/checkpoint/checkpoint_id_counter.h"
#include "protocol/checkpoint/checkpoint_request_decider.h"
#include "protocol/checkpoint/checkpoint_state_discarder.h"
#include "protocol/checkpoint/checkpoint_task_gateway.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/checkpoint/completed_checkpoint_store.h"
#include "protocol/checkpoint/pending_checkpoint.h"
#include "protocol/checkpoint/periodic_trigger_timer.h"
#include "protocol/env/blob_store.h"
#include "protocol/env/clock.h"
#include "protocol/env/randomness.h"
#include "protocol/state/shared_state_registry.h"

namespace ckptsim {

struct CheckpointCoordinatorEnv {
  const Clock& clock;
  Timers& timers;
  Randomness& randomness;
  BlobStore& blob_store;
  CheckpointTaskGateway& gateway;
  CheckpointCoordinatorListener* listener = nullptr;           // optional
  std::function<void(CheckpointFailureReason)> fail_job;       // optional; deferred
};

struct CoordinatorRecovery {
  std::optional<CheckpointId> latest_completed_id;
  CheckpointId next_checkpoint_id = 1;
  std::vector<std::string> warnings;  // skipped (corrupt or vanished) metadata
};

enum class CoordinatorLifecycle { kCreated, kRecovering, kRunning, kShutdown };

const char* name(CoordinatorLifecycle lifecycle);

class CheckpointCoordinator {
 public:
  // Precondition: validate(config) is ok.
  CheckpointCoordinator(CheckpointCoordinatorConfig config, CheckpointCoordinatorEnv env);
  ~CheckpointCoordinator();
  CheckpointCoordinator(const CheckpointCoordinator&) = delete;
  CheckpointCoordinator& operator=(const CheckpointCoordinator&) = delete;

  // Reads the retained checkpoints and the id counter back from the BlobStore (also for a
  // brand-new job: it then finds nothing). Precondition: lifecycle() == kCreated.
  void recover(std::function<void(Result<CoordinatorRecovery>)> done);

  // First tick after a random delay in [min_pause, max(interval, min_pause)], then every
  // interval. No-op if the interval is 0. Restarts the timer if already running.
  void start_periodic_scheduler();
  // Stops the ticks and, as in Flink, aborts pending checkpoints and queued requests with
  // kCheckpointCoordinatorSuspend. start_periodic_scheduler() may follow.
  void stop_periodic_scheduler();
  bool is_periodic_scheduler_running() const { return periodic_.has_value() && periodic_->is_running(); }

  // The tasks of the current deployment; called on every (re)deployment with the new
  // attempts. sources must be a subset of all_tasks; one attempt per subtask. Checkpoints
  // already pending keep waiting for the attempts they were triggered with.
  void set_tasks(std::vector<TaskRef> sources, std::vector<TaskRef> all_tasks);
  // No tasks are running (failover in progress): requests fail kNotAllRequiredTasksRunning.
  void clear_tasks();

  // A manual (non-periodic) request: obeys max-concurrent, not min-pause.
  void trigger_checkpoint();
  // A request as the periodic scheduler makes it now, instead of at its next tick: obeys
  // max-concurrent and min-pause (if min-pause forbids it now, the scheduler's next tick
  // moves to the earliest allowed time). A manual request when the scheduler is off.
  // Used for the final checkpoint at end of input, which Flink takes as a periodic one.
  void trigger_checkpoint_as_periodic();

  // kSuccess, kDuplicate, kUnknown (unknown id, stale attempt, or not yet triggered) or
  // kDiscarded (a recently ended checkpoint). The state of an ack that is not kSuccess or
  // kDuplicate is removed, except blobs a live checkpoint references.
  // The state is taken by value: callers move it in, and it is moved on into the
  // pending checkpoint (never copied).
  TaskAcknowledgeResult receive_acknowledge(TaskRef task, CheckpointId id, SubtaskStateHandle state,
                                            const SubtaskCheckpointMetrics& metrics);
  // Aborts checkpoint id with `reason` if its trigger went out, not every ack is in yet,
  // and it involves this task attempt (a stale attempt's decline is ignored). Returns
  // whether it did.
  bool receive_decline(TaskRef task, CheckpointId id, CheckpointFailureReason reason);

  // Aborts every pending checkpoint (failover: kJobFailover) except one whose metadata
  // write is already in flight (see has_finalizing_checkpoint). Queued requests stay queued
  // and the periodic scheduler keeps running; call clear_tasks() first if the deployment
  // is gone, and set_tasks() when the new one is running.
  void abort_pending_checkpoints(CheckpointFailureReason reason);

  // Aborts everything with kCheckpointCoordinatorShutdown and stops for good.
  void shutdown();

  // Removes every blob under "<job>/shared/" and "<job>/chk-<id>/" that no retained,
  // pending or finalizing checkpoint refers to (see the header comment). Call it when no
  // task may still upload (the job finished). Precondition: kRunning or kShutdown.
  void sweep_orphaned_state();
  static std::string shared_state_prefix(const std::string& job_id) { return job_id + "/shared/"; }

  const CompletedCheckpoint* latest_completed() const { return store_.latest(); }
  const std::deque<CompletedCheckpoint>& retained_checkpoints() const { return store_.retained(); }
  std::size_t num_pending() const { return pending_.size(); }
  // A checkpoint has all its acks and its metadata write is in flight. Such a checkpoint
  // survives failover and suspension; a JobManager must not choose a checkpoint to
  // restore while one is in flight (it may be about to become the latest completed).
  bool has_finalizing_checkpoint() const;
  std::vector<CheckpointId> pending_ids() const;
  std::size_t num_queued_requests() const { return decider_.queued_count(); }
  bool is_trigger_in_flight() const { return triggering_id_.has_value(); }
  std::optional<TimeNs> last_checkpoint_end_ns() const { return last_checkpoint_end_ns_; }
  CheckpointId next_checkpoint_id() const { return id_counter_.next_id(); }
  CoordinatorLifecycle lifecycle() const { return lifecycle_; }
  const CheckpointCoordinatorConfig& config() const { return config_; }
  const CheckpointFailureManager& failure_manager() const { return failure_manager_; }
  const CheckpointStateDiscarder& discarder() const { return discarder_; }
  const SharedStateRegistry& shared_state_registry() const { return shared_registry_; }

 private:
  enum class PendingPhase { kTriggering, kAwaitingAcks, kFinalizing };
  struct PendingEntry {
    PendingCheckpoint checkpoint;
    std::vector<TaskRef> sources;
    PendingPhase phase = PendingPhase::kTriggering;
    TimerId timeout_timer = kNoTimer;
    std::optional<CompletedCheckpoint> completed;  // set while finalizing
    bool metadata_write_in_flight = false;
  };

  // Requests.
  DeciderInputs decider_inputs() const;
  void submit_request(TriggerRequestKind kind);
  void apply_decider_outcome(const DeciderOutcome& outcome);
  void trigger_queued_requests();
  bool start_triggering(const CheckpointTriggerRequest& request);
  void fail_request(CheckpointFailureReason reason);
  void on_id_persisted(CheckpointId id, const Status& status);
  // Checkpoint lifecycle.
  void on_checkpoint_timeout(CheckpointId id);
  void start_finalization(PendingEntry& entry);
  void on_metadata_persisted(CheckpointId id, const Status& status);
  void complete_checkpoint(CheckpointId id);
  void abort_pending(CheckpointId id, CheckpointFailureReason reason);
  void release_aborted_state(CheckpointId id, PendingEntry& entry, CheckpointFailureReason reason);
  void abort_all_pending(CheckpointFailureReason reason);
  void abort_queued_requests(CheckpointFailureReason reason);
  void on_store_recovered(Result<StoreRecovery> recovery, const std::function<void(Result<CoordinatorRecovery>)>& done);
  // Helpers.
  void discard_ack_state(const SubtaskStateHandle& state);
  void discard_subsumed(const CompletedCheckpoint& old);
  void sweep_shared_state();
  void remember_deleted_shared(const std::string& name);
  bool refers_to_deleted_shared(const SubtaskStateHandle& state) const;
  void collect_referenced_blobs(std::set<std::string>& names) const;
  void remember_ended(CheckpointId id);
  bool recently_ended(CheckpointId id) const;
  void defer_fail_job(CheckpointFailureReason reason);
  template <typename Call>
  void call_out(Call&& call);
  void assert_entry_allowed() const;
  void check_invariants() const;

  static constexpr std::size_t kRecentlyEndedIds = 16;  // Flink's NUM_GHOST_CHECKPOINT_IDS
  static constexpr std::size_t kMaxDeletedSharedBlobs = std::size_t{1} << 16;

  const CheckpointCoordinatorConfig config_;
  const Clock& clock_;
  Timers& timers_;
  Randomness& randomness_;
  CheckpointTaskGateway& gateway_;
  CheckpointCoordinatorListener* listener_;
  std::function<void(CheckpointFailureReason)> fail_job_;
  BlobStore& blob_store_;

  CheckpointRequestDecider decider_;
  CheckpointFailureManager failure_manager_;
  CheckpointIdCounter id_counter_;
  CompletedCheckpointStore store_;
  CheckpointStateDiscarder discarder_;
  SharedStateRegistry shared_registry_;  // shared blobs of the retained checkpoints
  std::set<std::string> deleted_shared_;        // shared blobs a removal was issued for
  std::deque<std::string> deleted_shared_order_;  // oldest first, bounds deleted_shared_
  std::optional<PeriodicTriggerTimer> periodic_;

  CoordinatorLifecycle lifecycle_ = CoordinatorLifecycle::kCreated;
  std::vector<TaskRef> sources_;
  std::vector<TaskRef> all_tasks_;
  std::map<CheckpointId, PendingEntry> pending_;
  std::map<CheckpointId, CompletedCheckpoint> aborted_finalizations_;  // metadata write in flight
  std::optional<CheckpointId> triggering_id_;
  CheckpointId last_triggered_id_ = kNoCheckpointId;
  std::optional<TimeNs> last_checkpoint_end_ns_;
  std::deque<CheckpointId> recently_ended_;
  bool in_external_call_ = false;
  CallbackGuard guard_;
};

}  // namespace ckptsim
