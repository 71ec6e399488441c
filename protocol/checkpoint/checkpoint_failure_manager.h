// CheckpointFailureManager: execution.checkpointing.tolerable-failed-checkpoints, with the
// rules of Flink's CheckpointFailureManager.
//
//  * Only reasons for which counts_toward_tolerable_failures() holds are counted
//    (IO_EXCEPTION, CHECKPOINT_ASYNC_EXCEPTION, CHECKPOINT_DECLINED, CHECKPOINT_EXPIRED).
//  * Each checkpoint id is counted at most once (the last kMaxRememberedIds counted ids are
//    remembered until the next success; ids increase, so older ones cannot recur); a
//    failure without an id (a pre-flight failure) is counted every time its reason counts.
//  * A failure of a checkpoint whose id is not newer than the last successful checkpoint
//    is ignored.
//  * A success of a newer checkpoint resets the counter and forgets counted ids.
//  * When the counter exceeds the tolerable number, fail_job(reason) is called once for
//    that crossing and the counter is reset (as in Flink), so a job that keeps failing
//    checkpoints after its failover needs another tolerable+1 failures to fail again.
//
// Invariants: 0 <= consecutive_failures() <= tolerable; counted ids are all newer than the
// last success; at most kMaxRememberedIds ids are remembered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>

#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

class CheckpointFailureManager {
 public:
  using FailJobCallback = std::function<void(CheckpointFailureReason)>;

  static constexpr std::size_t kMaxRememberedIds = 1024;

  CheckpointFailureManager(std::int32_t tolerable_failed_checkpoints, FailJobCallback fail_job);

  // Reports a failed checkpoint (id) or a failed request (no id). Returns true if this call
  // made the job fail.
  bool handle_failure(std::optional<CheckpointId> id, CheckpointFailureReason reason);

  void handle_success(CheckpointId id);

  std::int32_t consecutive_failures() const { return consecutive_failures_; }
  std::int32_t tolerable_failed_checkpoints() const { return tolerable_; }
  std::int64_t jobs_failed() const { return jobs_failed_; }

 private:
  void reset_counter();

  std::int32_t tolerable_;
  FailJobCallback fail_job_;
  std::int32_t consecutive_failures_ = 0;
  std::set<CheckpointId> counted_ids_;
  CheckpointId last_success_id_ = kNoCheckpointId;
  std::int64_t jobs_failed_ = 0;
};

}  // namespace ckptsim
