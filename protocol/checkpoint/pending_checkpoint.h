// PendingCheckpoint: one triggered checkpoint collecting acknowledgements (Flink's
// PendingCheckpoint).
//
// State machine:   kPending --abort(reason)--> kAborted
//                  kPending --finalize(now), only when fully acknowledged--> kFinalized
// kAborted and kFinalized are terminal.
//
// Invariants:
//  * tasks_to_ack (not yet acknowledged) and acknowledged are disjoint; their union is the
//    set of tasks fixed at construction, which never changes.
//  * Each waited-for subtask appears once (one attempt per subtask).
//  * Acknowledgements are keyed by TaskRef, i.e. by subtask AND attempt: an ack from
//    another attempt of a waited-for subtask is kUnknown, never counted.
//  * acknowledged states hold exactly one entry per acknowledged task.
//  * A checkpoint is fully acknowledged iff tasks_to_ack is empty; only then may it be
//    finalized, and the CompletedCheckpoint then holds a state for every task.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

// Closed outcome of PendingCheckpoint::acknowledge (Flink's TaskAcknowledgeResult).
enum class TaskAcknowledgeResult {
  kSuccess,    // first ack of a task this checkpoint waits for
  kDuplicate,  // this task (same attempt) already acknowledged
  kUnknown,    // the checkpoint does not wait for this task (e.g. a stale attempt)
  kDiscarded,  // the checkpoint was aborted or finalized; the ack is dropped
};

const char* name(TaskAcknowledgeResult result);

enum class PendingCheckpointState { kPending, kAborted, kFinalized };

const char* name(PendingCheckpointState state);

class PendingCheckpoint {
 public:
  // `tasks` must be non-empty and hold each subtask at most once.
  PendingCheckpoint(CheckpointId id, TimeNs trigger_time_ns, const std::vector<TaskRef>& tasks);

  CheckpointId id() const { return id_; }
  TimeNs trigger_time_ns() const { return trigger_time_ns_; }
  PendingCheckpointState state() const { return state_; }
  std::optional<CheckpointFailureReason> abort_reason() const { return abort_reason_; }

  TaskAcknowledgeResult acknowledge(const TaskRef& task, SubtaskStateHandle state,
                                    const SubtaskCheckpointMetrics& metrics);

  bool is_fully_acknowledged() const { return tasks_to_ack_.empty(); }
  // True if the checkpoint waits for, or already has, this exact task attempt.
  bool involves(const TaskRef& task) const;
  bool has_acknowledged(const TaskRef& task) const { return acknowledged_.count(task) != 0; }
  std::size_t num_acknowledged() const { return acknowledged_.size(); }
  std::size_t num_tasks() const { return acknowledged_.size() + tasks_to_ack_.size(); }
  const std::set<TaskRef>& tasks_to_ack() const { return tasks_to_ack_; }

  // Aborts a pending checkpoint. Returns the states acknowledged so far: the caller owns
  // them now and should discard their blobs. Precondition: state() == kPending.
  std::vector<SubtaskStateHandle> abort(CheckpointFailureReason reason);

  // Turns a fully acknowledged checkpoint into a CompletedCheckpoint completed at now_ns.
  // Preconditions: state() == kPending, is_fully_acknowledged(), now_ns >= trigger time.
  CompletedCheckpoint finalize(TimeNs now_ns);

  // Every blob, private or shared, named by the states acknowledged so far (empty once
  // aborted or finalized).
  void collect_blob_names(std::set<std::string>& names) const;

 private:
  CheckpointId id_;
  TimeNs trigger_time_ns_;
  PendingCheckpointState state_ = PendingCheckpointState::kPending;
  std::optional<CheckpointFailureReason> abort_reason_;
  std::set<TaskRef> tasks_to_ack_;
  std::set<TaskRef> acknowledged_;
  std::map<std::uint32_t, SubtaskStateHandle> states_;
  std::map<std::uint32_t, SubtaskCheckpointMetrics> metrics_;
};

}  // namespace ckptsim
