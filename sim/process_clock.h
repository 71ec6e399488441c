// ProcessClock: the local clock of one simulated machine, as the code of the process
// running on it sees it (ProcessEnv::now_ns and the delays of its timers). Faults skew
// it (a forward step) and make it drift (run faster or slower than virtual time).
//
// Model, with real = the simulation's virtual time and k = 1'000'000 + drift_ppm:
//   local(real) = anchor_local + floor((real - anchor_real) * k / 1'000'000)
//   a timer asked for a local delay d waits the real delay ceil(d * 1'000'000 / k)
// adjust(now, {step, drift}) re-anchors the clock at `now`:
//   anchor_local := local(now) + step,  anchor_real := now,  drift_ppm := drift.
//
// Contract:
//  1. Monotonic: local() never decreases as real time advances; steps are >= 0 and the
//     drift keeps k > 0, so there is no way to move the clock back. (A clock that "heals"
//     goes back to drift 0 and keeps the offset it accumulated, as a monotonic clock
//     would.)
//  2. Timers fire no earlier than asked, in local time: over the real delay
//     ceil(d * 1e6 / k) the local clock advances by at least d and at most d + 2 ns,
//     provided the drift does not change while the timer is pending. A timer's real due time is fixed when it is scheduled: a later
//     adjust() does not move it.
//  3. Deterministic: integer arithmetic only (128-bit intermediates), no rounding mode.
//  4. The identity clock (never adjusted) maps real time to itself, so an unskewed
//     process sees exactly the simulation's time.
#pragma once

#include <algorithm>
#include <cstdint>

#include "protocol/base/assert.h"
#include "protocol/base/int128.h"
#include "protocol/base/time.h"

namespace ckptsim::sim {

struct ClockAdjustment {
  DurationNs step_ns = 0;       // a forward jump of the local clock, >= 0
  std::int64_t drift_ppm = 0;   // from now on: local time runs at (1e6 + drift) / 1e6 of real time
};

class ProcessClock {
 public:
  // Drift bounds: a clock runs at least at half speed and at most at double speed.
  static constexpr std::int64_t kMinDriftPpm = -500'000;
  static constexpr std::int64_t kMaxDriftPpm = 1'000'000;
  static constexpr std::int64_t kPpm = 1'000'000;

  bool is_identity() const { return anchor_local_ns_ == anchor_real_ns_ && drift_ppm_ == 0; }
  std::int64_t drift_ppm() const { return drift_ppm_; }

  // The local time at real time `real_ns`, which is not before the last adjustment.
  TimeNs local_ns(TimeNs real_ns) const {
    CKPT_ASSERT(real_ns >= anchor_real_ns_, "a clock is read at or after its last adjustment");
    if (drift_ppm_ == 0) return anchor_local_ns_ + (real_ns - anchor_real_ns_);
    // Every operand is >= 0 (real time never precedes the anchor, k > 0), so unsigned
    // division is the floor.
    const Uint128 elapsed = static_cast<Uint128>(real_ns - anchor_real_ns_) * rate() / kPpm;
    const Uint128 local = static_cast<Uint128>(anchor_local_ns_) + elapsed;
    CKPT_ASSERT(local <= static_cast<Uint128>(kTimeNever), "the local clock overflows");
    return static_cast<TimeNs>(local);
  }

  // The real delay after which the local clock has advanced by `local_delay_ns`
  // (rounded up), capped at `max_real_ns`.
  DurationNs real_delay_ns(DurationNs local_delay_ns, DurationNs max_real_ns) const {
    CKPT_ASSERT(local_delay_ns >= 0, "timer delays are not negative");
    if (drift_ppm_ == 0) return std::min(local_delay_ns, max_real_ns);
    const Uint128 real = (static_cast<Uint128>(local_delay_ns) * kPpm + rate() - 1) / rate();
    return real > static_cast<Uint128>(max_real_ns) ? max_real_ns : static_cast<DurationNs>(real);
  }

  void adjust(TimeNs real_now_ns, ClockAdjustment adjustment) {
    CKPT_ASSERT(adjustment.step_ns >= 0, "a monotonic clock only steps forward");
    CKPT_ASSERT(adjustment.drift_ppm >= kMinDriftPpm, "clock drift below the bound");
    CKPT_ASSERT(adjustment.drift_ppm <= kMaxDriftPpm, "clock drift above the bound");
    const TimeNs local_now_ns = local_ns(real_now_ns);
    CKPT_ASSERT(adjustment.step_ns <= kTimeNever - local_now_ns, "a clock step overflows");
    anchor_local_ns_ = local_now_ns + adjustment.step_ns;
    anchor_real_ns_ = real_now_ns;
    drift_ppm_ = adjustment.drift_ppm;
  }

 private:
  // k = 1e6 + drift, > 0 by the drift bounds.
  std::uint64_t rate() const { return static_cast<std::uint64_t>(kPpm + drift_ppm_); }

  TimeNs anchor_real_ns_ = 0;
  TimeNs anchor_local_ns_ = 0;
  std::int64_t drift_ppm_ = 0;
};

}  // namespace ckptsim::sim
