#include "protocol/checkpoint/pending_checkpoint.h"

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
    : id_(id), trigger_time_ns_(trigger_time_ns) {
  CKPT_ASSERT(id > kNoCheckpointId, "checkpoint ids are positive");
  CKPT_ASSERT(!tasks.empty(), "a checkpoint must wait for at least one task");
  std::set<std::uint32_t> subtasks;
  for (const TaskRef& task : tasks) {
    CKPT_ASSERT(subtasks.insert(task.subtask).second, "a checkpoint waits for one attempt per subtask");
    tasks_to_ack_.insert(task);
  }
}

TaskAcknowledgeResult PendingCheckpoint::acknowledge(const TaskRef& task, SubtaskStateHandle state,
                                                     const SubtaskCheckpointMetrics& metrics) {
  switch (state_) {
    case PendingCheckpointState::kAborted:
    case PendingCheckpointState::kFinalized:
      return TaskAcknowledgeResult::kDiscarded;
    case PendingCheckpointState::kPending:
      break;
  }
  if (tasks_to_ack_.erase(task) == 0) {
    return acknowledged_.count(task) != 0 ? TaskAcknowledgeResult::kDuplicate : TaskAcknowledgeResult::kUnknown;
  }
  acknowledged_.insert(task);
  const bool state_inserted = states_.emplace(task.subtask, std::move(state)).second;
  const bool metrics_inserted = metrics_.emplace(task.subtask, metrics).second;
  CKPT_ASSERT(state_inserted, "one state per acknowledged subtask");
  CKPT_ASSERT(metrics_inserted, "one metrics entry per acknowledged subtask");
  CKPT_ASSERT(states_.size() == acknowledged_.size(), "states and acknowledged tasks out of step");
  return TaskAcknowledgeResult::kSuccess;
}

bool PendingCheckpoint::involves(const TaskRef& task) const {
  return tasks_to_ack_.count(task) != 0 || acknowledged_.count(task) != 0;
}

std::vector<SubtaskStateHandle> PendingCheckpoint::abort(CheckpointFailureReason reason) {
  CKPT_ASSERT(state_ == PendingCheckpointState::kPending, "only a pending checkpoint can be aborted");
  state_ = PendingCheckpointState::kAborted;
  abort_reason_ = reason;
  std::vector<SubtaskStateHandle> released;
  released.reserve(states_.size());
  for (auto& entry : states_) released.push_back(std::move(entry.second));
  states_.clear();
  metrics_.clear();
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
  completed.states = std::move(states_);
  completed.metrics = std::move(metrics_);
  states_.clear();
  metrics_.clear();
  CKPT_ASSERT(completed.states.size() == acknowledged_.size(), "a completed checkpoint has every task's state");
  return completed;
}

void PendingCheckpoint::collect_blob_names(std::set<std::string>& names) const {
  for (const auto& entry : states_) {
    names.insert(entry.second.blob_names.begin(), entry.second.blob_names.end());
    names.insert(entry.second.shared_blob_names.begin(), entry.second.shared_blob_names.end());
  }
}

}  // namespace ckptsim
