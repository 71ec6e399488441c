// CheckpointRequestDecider: decides, for every request to trigger a checkpoint, whether it
// runs now, waits in a bounded queue, or is dropped with a reason (Flink's
// CheckpointRequestDecider). It owns only the queue; the caller passes in the facts it
// decides on (is a trigger in flight, how many checkpoints are pending, when did the last
// one end, what time is it) and acts on the outcome.
//
// Rules, in order, as in Flink:
//  1. Queue order: manual (non-periodic) requests before periodic ones, then by request
//     time, then by submission order. The queue holds at most max_queued requests (Flink:
//     1000). When it is full of manual requests a new request is dropped; otherwise the
//     lowest-priority request is dropped. Both drops use kTooManyCheckpointRequests.
//  2. Nothing runs while a trigger is in flight, the queue is empty, or more than
//     max_concurrent aborted checkpoints are still being cleaned up (Flink's
//     numberOfCleaningCheckpoints rule, which bounds the clean-up backlog).
//  3. Nothing runs while pending >= max_concurrent (requests stay queued; there is no
//     "force" request in ckptsim).
//  4. If the head is periodic and the min-pause since the end of the last checkpoint
//     (completed OR failed, FLINK-9598) has not elapsed, the head is dropped with
//     kMinimumTimeBetweenCheckpoints and the outcome names the earliest time the periodic
//     trigger may run again. Manual requests are not subject to min-pause (as in Flink).
//  5. Otherwise the head runs.
// At most one request is chosen per call.
//
// Invariants: queued_count() <= max_queued; sequence numbers are unique and increasing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

enum class TriggerRequestKind { kManual, kPeriodic };

struct CheckpointTriggerRequest {
  std::uint64_t sequence = 0;  // assigned by the decider, unique
  TriggerRequestKind kind = TriggerRequestKind::kPeriodic;
  TimeNs request_time_ns = 0;

  friend bool operator==(const CheckpointTriggerRequest&, const CheckpointTriggerRequest&) = default;
};

// The facts a decision depends on, supplied by the coordinator.
struct DeciderInputs {
  bool trigger_in_flight = false;                // Flink's isTriggering
  std::size_t pending_count = 0;                 // checkpoints triggered and not yet ended
  std::size_t cleaning_count = 0;                // ended checkpoints whose clean-up is running
  std::optional<TimeNs> last_checkpoint_end_ns;  // end of the last completed or failed checkpoint
  TimeNs now_ns = 0;
};

struct DroppedRequest {
  CheckpointTriggerRequest request;
  CheckpointFailureReason reason = CheckpointFailureReason::kTooManyCheckpointRequests;
};

struct DeciderOutcome {
  std::optional<CheckpointTriggerRequest> execute;  // run this request now
  std::vector<DroppedRequest> dropped;              // failed requests, with their reasons
  std::optional<TimeNs> periodic_retry_at_ns;       // min-pause: retry the periodic trigger then
};

class CheckpointRequestDecider {
 public:
  static constexpr std::size_t kDefaultMaxQueuedRequests = 1000;

  CheckpointRequestDecider(std::size_t max_concurrent_checkpoints, DurationNs min_pause_ns,
                           std::size_t max_queued_requests = kDefaultMaxQueuedRequests);

  // Queues a new request stamped with inputs.now_ns and decides. `submitted` receives the
  // new request so the caller can tell whether it was the one executed or dropped.
  DeciderOutcome submit(TriggerRequestKind kind, const DeciderInputs& inputs,
                        CheckpointTriggerRequest* submitted = nullptr);

  // Decides among the queued requests only (after a trigger finished or a checkpoint ended).
  DeciderOutcome choose_queued(const DeciderInputs& inputs);

  // Removes every queued request (coordinator shutdown or suspension), in queue order.
  std::vector<CheckpointTriggerRequest> abort_all();

  std::size_t queued_count() const { return queue_.size(); }
  std::size_t max_queued_requests() const { return max_queued_requests_; }

 private:
  struct QueueOrder {
    bool operator()(const CheckpointTriggerRequest& a, const CheckpointTriggerRequest& b) const;
  };

  void choose(const DeciderInputs& inputs, DeciderOutcome& outcome);

  std::size_t max_concurrent_checkpoints_;
  DurationNs min_pause_ns_;
  std::size_t max_queued_requests_;
  std::uint64_t next_sequence_ = 1;
  std::set<CheckpointTriggerRequest, QueueOrder> queue_;
};

}  // namespace ckptsim
