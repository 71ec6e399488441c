// Barrier handling on a task's inputs, as explicit state machines (Flink's
// SingleCheckpointBarrierHandler for aligned exactly-once, CheckpointBarrierTracker for
// at-least-once).
//
// The task feeds every in-band event of every input channel, in the order it takes
// them, and asks is_blocked(channel) before taking the next buffer of a channel. The
// handler answers with actions: trigger a checkpoint (all barriers in), or abort one.
//
// Aligned exactly-once (states: kIdle, kAligning):
//  * The first barrier of checkpoint n blocks its channel: nothing after the barrier is
//    processed until the barriers of n arrived on every channel that has not ended.
//    Then the checkpoint is triggered (snapshot, then the barrier goes downstream) and
//    every channel is unblocked. So the snapshot holds exactly the records before the
//    barriers: a consistent cut.
//  * A barrier with a higher id during alignment aborts the current one (declined as
//    subsumed) and starts aligning the newer one. Barriers with an id at or below the
//    last one seen are stale and ignored.
//  * A cancel marker for the aligning checkpoint (or a newer one) aborts the alignment
//    and unblocks; an abort notification from the coordinator does the same.
//  * A channel that ends (end of partition) counts as aligned from then on.
// At-least-once: nothing is ever blocked; checkpoint n triggers when its barrier arrived
// on every live channel; records after a barrier may be in the snapshot (duplicates on
// recovery, never loss). Up to kMaxTrackedCheckpoints are tracked at once.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

struct BarrierAction {
  enum class Kind { kTriggerCheckpoint, kAbortCheckpoint };
  Kind kind = Kind::kTriggerCheckpoint;
  CheckpointId id = kNoCheckpointId;
  DurationNs alignment_ns = 0;                              // for kTriggerCheckpoint
  CheckpointFailureReason reason = CheckpointFailureReason::kCheckpointDeclined;  // for kAbortCheckpoint
};

class BarrierHandler {
 public:
  explicit BarrierHandler(std::uint32_t channel_count) : blocked_(channel_count, 0) {}
  virtual ~BarrierHandler() = default;
  // Asked before every buffer a task takes, so it is not virtual: a byte per channel that
  // the handler sets while the channel is held back (always 0 without alignment).
  bool is_blocked(std::uint32_t channel) const {
    CKPT_ASSERT(channel < blocked_.size(), "channel out of range");
    return blocked_[channel] != 0;
  }
  virtual void on_barrier(std::uint32_t channel, CheckpointId id, TimeNs now_ns, std::vector<BarrierAction>& actions) = 0;
  virtual void on_cancel_barrier(std::uint32_t channel, CheckpointId id, std::vector<BarrierAction>& actions) = 0;
  virtual void on_end_of_partition(std::uint32_t channel, TimeNs now_ns, std::vector<BarrierAction>& actions) = 0;
  // The coordinator aborted `id`: stop aligning it if we are.
  virtual void on_checkpoint_aborted(CheckpointId id, std::vector<BarrierAction>& actions) = 0;
  // The id of the checkpoint currently being aligned, or kNoCheckpointId.
  virtual CheckpointId aligning_checkpoint() const = 0;
  virtual CheckpointId latest_seen_checkpoint() const = 0;

 protected:
  std::vector<std::uint8_t> blocked_;   // per channel: 1 while held back
};

class AlignedBarrierHandler final : public BarrierHandler {
 public:
  explicit AlignedBarrierHandler(std::uint32_t channel_count, CheckpointId last_seen_id = kNoCheckpointId);

  void on_barrier(std::uint32_t channel, CheckpointId id, TimeNs now_ns, std::vector<BarrierAction>& actions) override;
  void on_cancel_barrier(std::uint32_t channel, CheckpointId id, std::vector<BarrierAction>& actions) override;
  void on_end_of_partition(std::uint32_t channel, TimeNs now_ns, std::vector<BarrierAction>& actions) override;
  void on_checkpoint_aborted(CheckpointId id, std::vector<BarrierAction>& actions) override;
  CheckpointId aligning_checkpoint() const override { return state_ == State::kAligning ? aligning_id_ : kNoCheckpointId; }
  CheckpointId latest_seen_checkpoint() const override { return latest_seen_id_; }

 private:
  enum class State { kIdle, kAligning };
  void start_alignment(std::uint32_t channel, CheckpointId id, TimeNs now_ns);
  void abort_alignment(CheckpointFailureReason reason, std::vector<BarrierAction>& actions);
  void complete_if_aligned(TimeNs now_ns, std::vector<BarrierAction>& actions);
  void unblock_all();

  State state_ = State::kIdle;
  CheckpointId aligning_id_ = kNoCheckpointId;
  CheckpointId latest_seen_id_ = kNoCheckpointId;
  TimeNs alignment_start_ns_ = 0;
  // blocked_ (BarrierHandler): the channel delivered the aligning barrier.
  std::vector<bool> ended_;     // channel delivered end of partition
  std::uint32_t blocked_count_ = 0;
  std::uint32_t ended_count_ = 0;
};

class AtLeastOnceBarrierTracker final : public BarrierHandler {
 public:
  static constexpr std::size_t kMaxTrackedCheckpoints = 50;
  explicit AtLeastOnceBarrierTracker(std::uint32_t channel_count, CheckpointId last_seen_id = kNoCheckpointId);

  void on_barrier(std::uint32_t channel, CheckpointId id, TimeNs now_ns, std::vector<BarrierAction>& actions) override;
  void on_cancel_barrier(std::uint32_t channel, CheckpointId id, std::vector<BarrierAction>& actions) override;
  void on_end_of_partition(std::uint32_t channel, TimeNs now_ns, std::vector<BarrierAction>& actions) override;
  void on_checkpoint_aborted(CheckpointId id, std::vector<BarrierAction>& actions) override;
  CheckpointId aligning_checkpoint() const override { return kNoCheckpointId; }
  CheckpointId latest_seen_checkpoint() const override { return latest_triggered_id_; }

 private:
  struct Tracked {
    CheckpointId id = kNoCheckpointId;
    std::vector<bool> arrived;
    std::uint32_t arrived_count = 0;
    TimeNs first_arrival_ns = 0;
  };
  void complete_ready(TimeNs now_ns, std::vector<BarrierAction>& actions);
  std::uint32_t live_channels() const { return channel_count_ - ended_count_; }

  std::uint32_t channel_count_;
  std::vector<bool> ended_;
  std::uint32_t ended_count_ = 0;
  CheckpointId latest_triggered_id_ = kNoCheckpointId;
  std::deque<Tracked> tracked_;  // ascending ids
};

}  // namespace ckptsim
