// PendingCheckpoint: one triggered checkpoint collecting acknowledgements (Flink's
// PendingCheckpoint).
//
// State machine:   kPending --abort(reason)--> kAborted
//                  kPending --finalize(now), only when fully acknowledged--> kFinalized
// kAborted and kFinalized are terminal.
//
// The tasks are fixed at construction, so each gets a slot in a vector sorted by
// subtask: the awaited attempt, whether it acknowledged, and its state and metrics. An
// ack finds its slot by index (when the subtasks are 0..N-1, as a deployment's are) or by
// binary search, and a counter of outstanding acks says when all are in. Nothing is
// allocated per ack.
//
// Invariants:
//  * slots_ is sorted by strictly increasing subtask (one attempt per subtask) and never
//    changes its tasks after construction.
//  * Acknowledgements are keyed by subtask AND attempt: an ack from another attempt of
//    a waited-for subtask is kUnknown, never counted.
//  * num_outstanding_ is the number of slots not acknowledged; a slot that is not
//    acknowledged holds an empty state. Once aborted or finalized, the acknowledged
//    states have been moved out: the slots keep only their tasks (involves() answers).
//  * A checkpoint is fully acknowledged iff num_outstanding_ == 0; only then may it be
//    finalized, and the CompletedCheckpoint then holds a state for every task, in
//    increasing subtask order.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
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

  // Takes `state` (moves from it) only on kSuccess; on every other result it is left
  // as it was, so the caller still owns its blobs and can discard them.
  TaskAcknowledgeResult acknowledge(const TaskRef& task, SubtaskStateHandle&& state,
                                    const SubtaskCheckpointMetrics& metrics);

  bool is_fully_acknowledged() const { return num_outstanding_ == 0; }
  // True if the checkpoint waits for, or already has, this exact task attempt.
  bool involves(const TaskRef& task) const { return find_slot(task) != nullptr; }
  bool has_acknowledged(const TaskRef& task) const;
  std::size_t num_acknowledged() const { return slots_.size() - num_outstanding_; }
  std::size_t num_tasks() const { return slots_.size(); }

  // Aborts a pending checkpoint. Returns the states acknowledged so far: the caller owns
  // them now and should discard their blobs. Precondition: state() == kPending.
  std::vector<SubtaskStateHandle> abort(CheckpointFailureReason reason);

  // Turns a fully acknowledged checkpoint into a CompletedCheckpoint completed at now_ns,
  // moving every slot's state and metrics into it.
  // Preconditions: state() == kPending, is_fully_acknowledged(), now_ns >= trigger time.
  CompletedCheckpoint finalize(TimeNs now_ns);

  // Every blob, private or shared, named by the states acknowledged so far (empty once
  // aborted or finalized).
  void collect_blob_names(std::set<std::string>& names) const;

 private:
  struct Slot {
    TaskRef task;  // the attempt this checkpoint waits for
    bool acknowledged = false;
    SubtaskStateHandle state;
    SubtaskCheckpointMetrics metrics;
  };

  // The slot of this exact subtask and attempt, or nullptr.
  Slot* find_slot(const TaskRef& task);
  const Slot* find_slot(const TaskRef& task) const;
  // The slot of this subtask, whatever its attempt, or nullptr.
  const Slot* find_subtask(std::uint32_t subtask) const;

  CheckpointId id_;
  TimeNs trigger_time_ns_;
  PendingCheckpointState state_ = PendingCheckpointState::kPending;
  std::optional<CheckpointFailureReason> abort_reason_;
  std::vector<Slot> slots_;
  // True iff slots_[i].task.subtask == i for every i: the subtask is the slot index.
  bool subtask_is_index_ = false;
  std::size_t num_outstanding_ = 0;
};

}  // namespace ckptsim
