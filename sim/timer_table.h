// Cancellable timers as slots in a slab. The event queue holds only the slot index;
// the slot holds the callback, its owner stamp and a generation that makes stale
// TimerIds harmless. A cancelled timer's event still comes due and is discarded
// (lazy deletion keeps the heap simple and its order independent of cancellations).
//
// Invariants: a slot is free exactly when no queued event refers to it; a TimerId
// names (slot, generation) and is never reused for another timer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/env/clock.h"
#include "protocol/env/transport.h"

namespace ckptsim::sim {

struct TimerSlot {
  std::function<void()> callback;
  ProcessId owner = kNoProcess;      // kNoProcess: a global timer, never dropped by crashes
  ProcessId handler = kNoProcess;    // the process whose code it runs: waits while that one is paused
  std::uint32_t owner_incarnation = 0;
  std::uint32_t generation = 0;
  bool pending = false;              // scheduled and neither fired nor cancelled
};

class TimerTable {
 public:
  std::uint32_t allocate(std::function<void()> callback, ProcessId owner, std::uint32_t incarnation,
                         ProcessId handler) {
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      CKPT_ASSERT(slots_.size() < UINT32_MAX - 1, "timer table is full");
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    TimerSlot& s = slots_[slot];
    s.callback = std::move(callback);
    s.owner = owner;
    s.owner_incarnation = incarnation;
    s.handler = handler;
    s.pending = true;
    ++live_count_;
    return slot;
  }

  TimerId id_of(std::uint32_t slot) const {
    return (static_cast<TimerId>(slots_[slot].generation) << 32) | (static_cast<TimerId>(slot) + 1);
  }

  bool cancel(TimerId id) {
    if (id == kNoTimer) return false;
    const std::uint64_t slot_plus_one = id & 0xFFFFFFFFULL;
    if (slot_plus_one == 0 || slot_plus_one > slots_.size()) return false;
    TimerSlot& s = slots_[slot_plus_one - 1];
    if (s.generation != static_cast<std::uint32_t>(id >> 32) || !s.pending) return false;
    s.pending = false;
    s.callback = nullptr;
    return true;
  }

  TimerSlot& at(std::uint32_t slot) { return slots_[slot]; }
  const TimerSlot& at(std::uint32_t slot) const { return slots_[slot]; }

  // Called when the slot's event has been taken off the queue.
  void release(std::uint32_t slot) {
    TimerSlot& s = slots_[slot];
    s.pending = false;
    s.callback = nullptr;
    ++s.generation;
    free_.push_back(slot);
    --live_count_;
  }

  std::size_t live_count() const { return live_count_; }

 private:
  std::vector<TimerSlot> slots_;
  std::vector<std::uint32_t> free_;
  std::size_t live_count_ = 0;
};

}  // namespace ckptsim::sim
