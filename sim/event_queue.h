// The simulator's pending-event queue: a binary min-heap ordered by (time, sequence).
//
// Invariants:
//  1. pop() returns events in non-decreasing time; events at the same time come out in
//     the order they were pushed (the sequence number is the tie-breaker), so the order
//     never depends on heap internals, pointer values or the standard library.
//  2. Sequence numbers are assigned here, strictly increasing, never reused.
//  3. An event is a small value (no owning pointers): what it refers to lives in the
//     simulation's slabs, indexed by `slot`.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/base/time.h"

namespace ckptsim::sim {

enum class EventKind : std::uint8_t {
  kTimer,          // a timer slot fires (may be cancelled or belong to a dead incarnation)
  kRpcDelivery,    // an RPC slot arrives at its destination
  kDataDelivery,   // the next in-flight buffer of a data channel arrives
  kCreditReturn,   // a consumed buffer's credit reaches the channel's sender
  kChannelFailed,  // a data channel's failure reaches one of its endpoints
  kHeldRelease,    // a partition healed: re-deliver held buffers of a channel
};

struct Event {
  TimeNs time_ns = 0;
  std::uint64_t sequence = 0;
  std::uint32_t slot = 0;      // meaning depends on kind: timer slot, rpc slot, channel id
  std::uint32_t aux = 0;       // kind-specific (e.g. which endpoint of a channel)
  EventKind kind = EventKind::kTimer;
};

class EventQueue {
 public:
  // Inserts an event at `time_ns`; returns its sequence number.
  std::uint64_t push(TimeNs time_ns, EventKind kind, std::uint32_t slot, std::uint32_t aux = 0) {
    CKPT_ASSERT(time_ns >= 0, "events happen at non-negative times");
    const Event event{time_ns, next_sequence_, slot, aux, kind};
    heap_.push_back(event);
    sift_up(heap_.size() - 1);
    return next_sequence_++;
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& top() const {
    CKPT_ASSERT(!heap_.empty(), "top() of an empty event queue");
    return heap_.front();
  }

  Event pop() {
    CKPT_ASSERT(!heap_.empty(), "pop() of an empty event queue");
    const Event result = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down_from_root(last);
    return result;
  }

  std::uint64_t pushed_count() const { return next_sequence_; }

 private:
  static bool before(const Event& a, const Event& b) {
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    return a.sequence < b.sequence;
  }

  void sift_up(std::size_t index) {
    const Event moving = heap_[index];
    while (index > 0) {
      const std::size_t parent = (index - 1) / 2;
      if (!before(moving, heap_[parent])) break;
      heap_[index] = heap_[parent];
      index = parent;
    }
    heap_[index] = moving;
  }

  // Places `moving` (the former last element) starting at the root: the hole moves
  // down along the smaller child, then `moving` is placed where it belongs.
  void sift_down_from_root(const Event& moving) {
    const std::size_t count = heap_.size();
    std::size_t index = 0;
    for (;;) {
      std::size_t child = 2 * index + 1;
      if (child >= count) break;
      if (child + 1 < count && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], moving)) break;
      heap_[index] = heap_[child];
      index = child;
    }
    heap_[index] = moving;
  }

  std::vector<Event> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace ckptsim::sim
