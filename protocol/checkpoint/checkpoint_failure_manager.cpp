#include "protocol/checkpoint/checkpoint_failure_manager.h"

#include <utility>

namespace ckptsim {

CheckpointFailureManager::CheckpointFailureManager(std::int32_t tolerable_failed_checkpoints, FailJobCallback fail_job)
    : tolerable_(tolerable_failed_checkpoints), fail_job_(std::move(fail_job)) {
  CKPT_ASSERT(tolerable_failed_checkpoints >= 0, "tolerable-failed-checkpoints must not be negative");
  CKPT_ASSERT(fail_job_ != nullptr, "the failure manager needs a fail-job callback");
}

bool CheckpointFailureManager::handle_failure(std::optional<CheckpointId> id, CheckpointFailureReason reason) {
  if (!counts_toward_tolerable_failures(reason)) return false;
  if (id.has_value()) {
    CKPT_ASSERT(*id > kNoCheckpointId, "failed checkpoint ids are positive");
    // Failures of checkpoints older than the last success say nothing about the job now.
    if (*id <= last_success_id_) return false;
    if (!counted_ids_.insert(*id).second) return false;
    if (counted_ids_.size() > kMaxRememberedIds) counted_ids_.erase(counted_ids_.begin());
  }
  ++consecutive_failures_;
  if (consecutive_failures_ <= tolerable_) return false;
  // Unlike Flink, the counted ids survive this reset, so that an id is never counted twice
  // even across a job failure.
  consecutive_failures_ = 0;
  ++jobs_failed_;
  fail_job_(reason);
  return true;
}

void CheckpointFailureManager::handle_success(CheckpointId id) {
  CKPT_ASSERT(id > kNoCheckpointId, "successful checkpoint ids are positive");
  if (id <= last_success_id_) return;
  last_success_id_ = id;
  reset_counter();
}

void CheckpointFailureManager::reset_counter() {
  consecutive_failures_ = 0;
  counted_ids_.clear();
}

}  // namespace ckptsim
