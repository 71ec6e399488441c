#include "protocol/checkpoint/pending_checkpoint.h"

#include <algorithm>
#include <utility>

namespace ckptsim {

const char* name(TaskAcknowledgeResult result) {
  switch (result) {
    case TaskAcknowledgeResult::kSuccess: return "SUCCESS";
    case TaskAcknowledgeResult::kDuplicate: return "DUPLICATE";
    case TaskAcknowledgeResult::kUnknown: return "UNKNOWN";
    case TaskAcknowledgeResult::kDiscarded: return "DISCARDED";
  }
  CKPT_UNREACHABLE("unknown task acknowledge result");
}

const char* name(PendingCheckpointState state) {
  switch (state) {
    case PendingCheckpointState::kPending: return "pending";
    case PendingCheckpointState::kAborted: return "aborted";
    case PendingCheckpointState::kFinalized: return "finalized";
  }
  CKPT_UNREACHABLE("unknown pending checkpoint state");
}

PendingCheckpoint::PendingCheckpoint(CheckpointId id, TimeNs trigger_time_ns, const std::vector<TaskRef>& tasks)
    : id_(id), trigger_time_ns_(trigger_time_ns), num_outstanding_(tasks.size()) {
  CKPT_ASSERT(id > kNoCheckpointId, "checkpoint ids are positive");
  CKPT_ASSERT(!tasks.empty(), "a checkpoint must wait for at least one task");
  slots_.resize(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) slots_[i].task = tasks[i];
  std::sort(slots_.begin(), slots_.end(), [](const Slot& a, const Slot& b) { return a.task.subtask < b.task.subtask; });
  for (std::size_t i = 1; i < slots_.size(); ++i) {
    CKPT_ASSERT(slots_[i - 1].task.subtask < slots_[i].task.subtask, "a checkpoint waits for one attempt per subtask");
  }
  // Sorted and distinct, so the subtasks are exactly 0..N-1 iff the last one is N-1.
  subtask_is_index_ = slots_.back().task.subtask == slots_.size() - 1;
}

const PendingCheckpoint::Slot* PendingCheckpoint::find_subtask(std::uint32_t subtask) const {
  if (subtask_is_index_) return subtask < slots_.size() ? &slots_[subtask] : nullptr;
  auto it = std::lower_bound(slots_.begin(), slots_.end(), subtask,
                             [](const Slot& slot, std::uint32_t key) { return slot.task.subtask < key; });
  return it != slots_.end() && it->task.subtask == subtask ? &*it : nullptr;
}

const PendingCheckpoint::Slot* PendingCheckpoint::find_slot(const TaskRef& task) const {
  const Slot* slot = find_subtask(task.subtask);
  return slot != nullptr && slot->task.attempt == task.attempt ? slot : nullptr;
}

PendingCheckpoint::Slot* PendingCheckpoint::find_slot(const TaskRef& task) {
  return const_cast<Slot*>(std::as_const(*this).find_slot(task));
}

TaskAcknowledgeResult PendingCheckpoint::acknowledge(const TaskRef& task, SubtaskStateHandle&& state,
                                                     const SubtaskCheckpointMetrics& metrics) {
  switch (state_) {
    case PendingCheckpointState::kAborted:
    case PendingCheckpointState::kFinalized:
      return TaskAcknowledgeResult::kDiscarded;
    case PendingCheckpointState::kPending:
      break;
  }
  Slot* slot = find_slot(task);
  if (slot == nullptr) return TaskAcknowledgeResult::kUnknown;  // not awaited, or another attempt
  if (slot->acknowledged) return TaskAcknowledgeResult::kDuplicate;
  CKPT_ASSERT(num_outstanding_ > 0, "an unacknowledged slot is outstanding");
  CKPT_ASSERT(slot->state.blob_names.empty(), "an unacknowledged slot holds no state");
  slot->acknowledged = true;
  slot->state = std::move(state);
  slot->metrics = metrics;
  --num_outstanding_;
  return TaskAcknowledgeResult::kSuccess;
}

bool PendingCheckpoint::has_acknowledged(const TaskRef& task) const {
  const Slot* slot = find_slot(task);
  return slot != nullptr && slot->acknowledged;
}

std::vector<SubtaskStateHandle> PendingCheckpoint::abort(CheckpointFailureReason reason) {
  CKPT_ASSERT(state_ == PendingCheckpointState::kPending, "only a pending checkpoint can be aborted");
  state_ = PendingCheckpointState::kAborted;
  abort_reason_ = reason;
  std::vector<SubtaskStateHandle> released;
  released.reserve(num_acknowledged());
  for (Slot& slot : slots_) {
    if (slot.acknowledged) released.push_back(std::move(slot.state));
  }
  return released;
}

CompletedCheckpoint PendingCheckpoint::finalize(TimeNs now_ns) {
  CKPT_ASSERT(state_ == PendingCheckpointState::kPending, "only a pending checkpoint can be finalized");
  CKPT_ASSERT(is_fully_acknowledged(), "finalize needs every acknowledgement");
  CKPT_ASSERT(now_ns >= trigger_time_ns_, "a checkpoint cannot complete before it was triggered");
  state_ = PendingCheckpointState::kFinalized;
  CompletedCheckpoint completed;
  completed.id = id_;
  completed.trigger_time_ns = trigger_time_ns_;
  completed.completion_time_ns = now_ns;
  completed.states.reserve(slots_.size());
  completed.metrics.reserve(slots_.size());
  // slots_ is in increasing subtask order, so every emplace appends.
  for (Slot& slot : slots_) {
    CKPT_ASSERT(slot.acknowledged, "a fully acknowledged checkpoint has every slot acknowledged");
    completed.states.emplace(slot.task.subtask, std::move(slot.state));
    completed.metrics.emplace(slot.task.subtask, slot.metrics);
  }
  CKPT_ASSERT(completed.states.size() == num_tasks(), "a completed checkpoint has every task's state");
  return completed;
}

void PendingCheckpoint::collect_blob_names(std::set<std::string>& names) const {
  // Aborting and finalizing moved the states out; the slots keep only their tasks.
  if (state_ != PendingCheckpointState::kPending) return;
  for (const Slot& slot : slots_) {
    names.insert(slot.state.blob_names.begin(), slot.state.blob_names.end());
    names.insert(slot.state.shared_blob_names.begin(), slot.state.shared_blob_names.end());
  }
}

}  // namespace ckptsim
