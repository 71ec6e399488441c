#include "protocol/checkpoint/checkpoint_request_decider.h"

#include <iterator>
#include <tuple>

namespace ckptsim {

bool CheckpointRequestDecider::QueueOrder::operator()(const CheckpointTriggerRequest& a,
                                                     const CheckpointTriggerRequest& b) const {
  // Manual requests first: somebody is waiting for them.
  const bool a_periodic = a.kind == TriggerRequestKind::kPeriodic;
  const bool b_periodic = b.kind == TriggerRequestKind::kPeriodic;
  return std::tie(a_periodic, a.request_time_ns, a.sequence) < std::tie(b_periodic, b.request_time_ns, b.sequence);
}

CheckpointRequestDecider::CheckpointRequestDecider(std::size_t max_concurrent_checkpoints, DurationNs min_pause_ns,
                                                   std::size_t max_queued_requests)
    : max_concurrent_checkpoints_(max_concurrent_checkpoints),
      min_pause_ns_(min_pause_ns),
      max_queued_requests_(max_queued_requests) {
  CKPT_ASSERT(max_concurrent_checkpoints >= 1, "max-concurrent-checkpoints must be at least 1");
  CKPT_ASSERT(min_pause_ns >= 0, "min-pause must not be negative");
  CKPT_ASSERT(max_queued_requests >= 1, "the request queue needs room for one request");
}

DeciderOutcome CheckpointRequestDecider::submit(TriggerRequestKind kind, const DeciderInputs& inputs,
                                                CheckpointTriggerRequest* submitted) {
  const CheckpointTriggerRequest request{next_sequence_++, kind, inputs.now_ns};
  if (submitted != nullptr) *submitted = request;
  DeciderOutcome outcome;
  if (queue_.size() >= max_queued_requests_ &&
      std::prev(queue_.end())->kind == TriggerRequestKind::kManual) {
    // Only manual requests are queued: keep them and refuse the newcomer.
    outcome.dropped.push_back({request, CheckpointFailureReason::kTooManyCheckpointRequests});
    return outcome;
  }
  queue_.insert(request);
  if (queue_.size() > max_queued_requests_) {
    auto last = std::prev(queue_.end());
    outcome.dropped.push_back({*last, CheckpointFailureReason::kTooManyCheckpointRequests});
    queue_.erase(last);
  }
  CKPT_ASSERT(queue_.size() <= max_queued_requests_, "request queue over its bound");
  choose(inputs, outcome);
  return outcome;
}

DeciderOutcome CheckpointRequestDecider::choose_queued(const DeciderInputs& inputs) {
  DeciderOutcome outcome;
  choose(inputs, outcome);
  return outcome;
}

void CheckpointRequestDecider::choose(const DeciderInputs& inputs, DeciderOutcome& outcome) {
  if (inputs.trigger_in_flight || queue_.empty()) return;
  if (inputs.cleaning_count > max_concurrent_checkpoints_) return;
  if (inputs.pending_count >= max_concurrent_checkpoints_) return;
  const CheckpointTriggerRequest head = *queue_.begin();
  if (head.kind == TriggerRequestKind::kPeriodic && inputs.last_checkpoint_end_ns.has_value()) {
    const TimeNs earliest_ns = *inputs.last_checkpoint_end_ns + min_pause_ns_;
    if (earliest_ns > inputs.now_ns) {
      queue_.erase(queue_.begin());
      outcome.dropped.push_back({head, CheckpointFailureReason::kMinimumTimeBetweenCheckpoints});
      outcome.periodic_retry_at_ns = earliest_ns;
      return;
    }
  }
  queue_.erase(queue_.begin());
  outcome.execute = head;
}

std::vector<CheckpointTriggerRequest> CheckpointRequestDecider::abort_all() {
  std::vector<CheckpointTriggerRequest> removed(queue_.begin(), queue_.end());
  queue_.clear();
  return removed;
}

}  // namespace ckptsim
