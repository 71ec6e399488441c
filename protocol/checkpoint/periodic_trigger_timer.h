// PeriodicTriggerTimer: the coordinator's periodic checkpoint clock, a fixed-rate chain of
// one-shot timers (Flink schedules its ScheduledTrigger at a fixed rate).
//
//  * start(initial_delay) fires the first tick after initial_delay, then every interval
//    after the previous *due* time (fixed rate, no drift).
//  * reschedule(at) moves the next tick to `at` and continues at the fixed rate from there
//    (Flink's rescheduleTrigger after a min-pause rejection). Ignored while stopped.
//  * stop() cancels the pending tick; start() may be called again afterwards (FLINK-13256:
//    the trigger must survive a failover that stopped and restarted the scheduler).
//
// Invariant: while running, exactly one tick timer is scheduled; while stopped, none.
// A tick first schedules the next one, then calls on_tick, so on_tick may stop or
// reschedule the timer.
#pragma once

#include <cstdint>
#include <functional>

#include "protocol/base/time.h"
#include "protocol/checkpoint/callback_guard.h"
#include "protocol/env/clock.h"

namespace ckptsim {

class PeriodicTriggerTimer {
 public:
  PeriodicTriggerTimer(const Clock& clock, Timers& timers, DurationNs interval_ns, std::function<void()> on_tick);
  ~PeriodicTriggerTimer();
  PeriodicTriggerTimer(const PeriodicTriggerTimer&) = delete;
  PeriodicTriggerTimer& operator=(const PeriodicTriggerTimer&) = delete;

  // Starts, or restarts if running, with the first tick after initial_delay_ns (>= 0).
  void start(DurationNs initial_delay_ns);
  void stop();
  void reschedule(TimeNs at_ns);

  bool is_running() const { return timer_ != kNoTimer; }
  TimeNs next_tick_ns() const { return next_due_ns_; }  // meaningful while running
  std::uint64_t ticks() const { return ticks_; }

 private:
  void schedule_at(TimeNs due_ns);
  void on_timer(std::uint64_t generation);

  const Clock& clock_;
  Timers& timers_;
  DurationNs interval_ns_;
  std::function<void()> on_tick_;
  TimerId timer_ = kNoTimer;
  TimeNs next_due_ns_ = 0;
  std::uint64_t generation_ = 0;  // bumped on every (re)schedule; stale timers do nothing
  std::uint64_t ticks_ = 0;
  CallbackGuard guard_;
};

}  // namespace ckptsim
