// The protocol's view of time: a clock and cancellable one-shot timers.
// The simulator implements these with virtual time; a real runtime with a monotonic
// clock and an event loop. Protocol code never reads a clock any other way.
#pragma once

#include <cstdint>
#include <functional>

#include "protocol/base/time.h"

namespace ckptsim {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic, never decreases between two calls on the same process incarnation.
  virtual TimeNs now_ns() const = 0;
};

// Identifies a scheduled timer. 0 is never a valid id.
using TimerId = std::uint64_t;
inline constexpr TimerId kNoTimer = 0;

class Timers {
 public:
  virtual ~Timers() = default;
  // Runs `callback` once, `delay_ns` (>= 0) from now, unless cancelled first or the
  // owning process crashes first. Callbacks never run re-entrantly inside this call.
  virtual TimerId schedule_after(DurationNs delay_ns, std::function<void()> callback) = 0;
  // Cancels a pending timer. Returns false if it already fired, was cancelled, or the
  // id is kNoTimer; cancelling is always safe.
  virtual bool cancel(TimerId timer) = 0;
};

}  // namespace ckptsim
