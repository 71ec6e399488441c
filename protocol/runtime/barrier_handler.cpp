#include "protocol/runtime/barrier_handler.h"

#include "protocol/base/assert.h"

namespace ckptsim {

// ---------------------------------------------------------------- aligned

AlignedBarrierHandler::AlignedBarrierHandler(std::uint32_t channel_count, CheckpointId last_seen_id)
    : BarrierHandler(channel_count), latest_seen_id_(last_seen_id), ended_(channel_count, false) {
  CKPT_ASSERT(channel_count > 0, "a barrier handler needs at least one input channel");
}

void AlignedBarrierHandler::start_alignment(std::uint32_t channel, CheckpointId id, TimeNs now_ns) {
  CKPT_ASSERT(state_ == State::kIdle, "alignment starts from idle");
  state_ = State::kAligning;
  aligning_id_ = id;
  latest_seen_id_ = id;
  alignment_start_ns_ = now_ns;
  blocked_[channel] = true;
  blocked_count_ = 1;
}

void AlignedBarrierHandler::unblock_all() {
  blocked_.assign(blocked_.size(), false);
  blocked_count_ = 0;
}

void AlignedBarrierHandler::abort_alignment(CheckpointFailureReason reason, std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(state_ == State::kAligning, "only an alignment in progress can be aborted");
  actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, aligning_id_, 0, reason});
  unblock_all();
  state_ = State::kIdle;
  aligning_id_ = kNoCheckpointId;
}

void AlignedBarrierHandler::complete_if_aligned(TimeNs now_ns, std::vector<BarrierAction>& actions) {
  if (state_ != State::kAligning) return;
  const auto live = static_cast<std::uint32_t>(blocked_.size()) - ended_count_;
  // Blocked channels never end while blocked (nothing is taken from them), so every
  // blocked channel is live.
  CKPT_ASSERT(blocked_count_ <= live, "more blocked channels than live ones");
  if (blocked_count_ < live) return;
  actions.push_back(BarrierAction{BarrierAction::Kind::kTriggerCheckpoint, aligning_id_, now_ns - alignment_start_ns_,
                                  CheckpointFailureReason::kCheckpointDeclined});
  unblock_all();
  state_ = State::kIdle;
  aligning_id_ = kNoCheckpointId;
}

void AlignedBarrierHandler::on_barrier(std::uint32_t channel, CheckpointId id, TimeNs now_ns,
                                       std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(channel < blocked_.size(), "channel out of range");
  CKPT_ASSERT(!blocked_[channel], "a blocked channel delivered another buffer");
  CKPT_ASSERT(!ended_[channel], "a barrier after end of partition");
  switch (state_) {
    case State::kIdle:
      if (id <= latest_seen_id_) return;  // stale: a checkpoint already completed or aborted here
      start_alignment(channel, id, now_ns);
      complete_if_aligned(now_ns, actions);
      return;
    case State::kAligning:
      if (id < aligning_id_) return;  // stale
      if (id > aligning_id_) {
        // A newer checkpoint overtook the one being aligned: give up the older one.
        abort_alignment(CheckpointFailureReason::kCheckpointDeclinedSubsumed, actions);
        start_alignment(channel, id, now_ns);
      } else {
        blocked_[channel] = true;
        ++blocked_count_;
      }
      complete_if_aligned(now_ns, actions);
      return;
  }
  CKPT_UNREACHABLE("unknown aligned handler state");
}

void AlignedBarrierHandler::on_cancel_barrier(std::uint32_t channel, CheckpointId id,
                                              std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(channel < blocked_.size(), "channel out of range");
  if (state_ == State::kAligning && id >= aligning_id_) {
    const CheckpointId aligning = aligning_id_;
    abort_alignment(CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier, actions);
    if (id > aligning) {
      actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, id, 0,
                                      CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier});
    }
    latest_seen_id_ = id;
    return;
  }
  if (state_ == State::kIdle && id > latest_seen_id_) {
    latest_seen_id_ = id;
    actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, id, 0,
                                    CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier});
  }
}

void AlignedBarrierHandler::on_end_of_partition(std::uint32_t channel, TimeNs now_ns,
                                                std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(channel < ended_.size(), "channel out of range");
  CKPT_ASSERT(!blocked_[channel], "a blocked channel delivered end of partition");
  if (ended_[channel]) return;
  ended_[channel] = true;
  ++ended_count_;
  complete_if_aligned(now_ns, actions);
}

void AlignedBarrierHandler::on_checkpoint_aborted(CheckpointId id, std::vector<BarrierAction>& actions) {
  if (state_ == State::kAligning && id == aligning_id_) {
    abort_alignment(CheckpointFailureReason::kCheckpointDeclined, actions);
  }
  if (id > latest_seen_id_) latest_seen_id_ = id;
}

// ---------------------------------------------------------------- at least once

AtLeastOnceBarrierTracker::AtLeastOnceBarrierTracker(std::uint32_t channel_count, CheckpointId last_seen_id)
    : BarrierHandler(channel_count), channel_count_(channel_count), ended_(channel_count, false),
      latest_triggered_id_(last_seen_id) {
  CKPT_ASSERT(channel_count > 0, "a barrier tracker needs at least one input channel");
}

void AtLeastOnceBarrierTracker::on_barrier(std::uint32_t channel, CheckpointId id, TimeNs now_ns,
                                           std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(channel < channel_count_, "channel out of range");
  if (id <= latest_triggered_id_) return;
  auto it = tracked_.begin();
  while (it != tracked_.end() && it->id < id) ++it;
  if (it == tracked_.end() || it->id != id) {
    if (tracked_.size() == kMaxTrackedCheckpoints) {
      // Like Flink: forget the oldest; it can no longer complete here.
      actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, tracked_.front().id, 0,
                                      CheckpointFailureReason::kCheckpointDeclined});
      tracked_.pop_front();
      it = tracked_.begin();
      while (it != tracked_.end() && it->id < id) ++it;
    }
    it = tracked_.insert(it, Tracked{id, std::vector<bool>(channel_count_, false), 0, now_ns});
  }
  if (!it->arrived[channel]) {
    it->arrived[channel] = true;
    ++it->arrived_count;
  }
  complete_ready(now_ns, actions);
}

void AtLeastOnceBarrierTracker::complete_ready(TimeNs now_ns, std::vector<BarrierAction>& actions) {
  // The highest checkpoint whose barriers all arrived triggers; lower ones still pending
  // are aborted (they can never become consistent once a later one completed).
  for (auto it = tracked_.rbegin(); it != tracked_.rend(); ++it) {
    std::uint32_t live_arrived = 0;
    for (std::uint32_t c = 0; c < channel_count_; ++c) live_arrived += (it->arrived[c] && !ended_[c]) ? 1 : 0;
    if (live_arrived < live_channels() || live_channels() == 0) continue;
    const CheckpointId ready = it->id;
    const TimeNs first_ns = it->first_arrival_ns;
    while (!tracked_.empty() && tracked_.front().id < ready) {
      actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, tracked_.front().id, 0,
                                      CheckpointFailureReason::kCheckpointDeclinedSubsumed});
      tracked_.pop_front();
    }
    tracked_.pop_front();
    latest_triggered_id_ = ready;
    actions.push_back(BarrierAction{BarrierAction::Kind::kTriggerCheckpoint, ready, now_ns - first_ns,
                                    CheckpointFailureReason::kCheckpointDeclined});
    return;
  }
}

void AtLeastOnceBarrierTracker::on_cancel_barrier(std::uint32_t, CheckpointId id, std::vector<BarrierAction>& actions) {
  on_checkpoint_aborted(id, actions);
}

void AtLeastOnceBarrierTracker::on_end_of_partition(std::uint32_t channel, TimeNs now_ns,
                                                    std::vector<BarrierAction>& actions) {
  CKPT_ASSERT(channel < channel_count_, "channel out of range");
  if (ended_[channel]) return;
  ended_[channel] = true;
  ++ended_count_;
  complete_ready(now_ns, actions);
}

void AtLeastOnceBarrierTracker::on_checkpoint_aborted(CheckpointId id, std::vector<BarrierAction>& actions) {
  for (auto it = tracked_.begin(); it != tracked_.end(); ++it) {
    if (it->id == id) {
      actions.push_back(BarrierAction{BarrierAction::Kind::kAbortCheckpoint, id, 0,
                                      CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier});
      tracked_.erase(it);
      return;
    }
  }
}

}  // namespace ckptsim
