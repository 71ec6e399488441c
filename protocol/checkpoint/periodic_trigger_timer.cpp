#include "protocol/checkpoint/periodic_trigger_timer.h"

#include <algorithm>
#include <utility>

namespace ckptsim {

PeriodicTriggerTimer::PeriodicTriggerTimer(const Clock& clock, Timers& timers, DurationNs interval_ns,
                                           std::function<void()> on_tick)
    : clock_(clock), timers_(timers), interval_ns_(interval_ns), on_tick_(std::move(on_tick)) {
  CKPT_ASSERT(interval_ns > 0, "a periodic trigger needs a positive interval");
  CKPT_ASSERT(on_tick_ != nullptr, "a periodic trigger needs a tick callback");
}

PeriodicTriggerTimer::~PeriodicTriggerTimer() { stop(); }

void PeriodicTriggerTimer::start(DurationNs initial_delay_ns) {
  CKPT_ASSERT(initial_delay_ns >= 0, "negative initial delay");
  stop();
  schedule_at(clock_.now_ns() + initial_delay_ns);
}

void PeriodicTriggerTimer::stop() {
  if (timer_ != kNoTimer) timers_.cancel(timer_);
  timer_ = kNoTimer;
  ++generation_;
}

void PeriodicTriggerTimer::reschedule(TimeNs at_ns) {
  if (!is_running()) return;
  stop();
  schedule_at(at_ns);
}

void PeriodicTriggerTimer::schedule_at(TimeNs due_ns) {
  CKPT_ASSERT(timer_ == kNoTimer, "one tick timer at a time");
  const TimeNs now_ns = clock_.now_ns();
  next_due_ns_ = std::max(due_ns, now_ns);
  const std::uint64_t generation = ++generation_;
  timer_ = timers_.schedule_after(next_due_ns_ - now_ns, guard_.wrap([this, generation] { on_timer(generation); }));
  CKPT_ASSERT(timer_ != kNoTimer, "Timers returned the invalid timer id");
}

void PeriodicTriggerTimer::on_timer(std::uint64_t generation) {
  if (generation != generation_) return;  // cancelled or superseded
  timer_ = kNoTimer;
  ++ticks_;
  schedule_at(next_due_ns_ + interval_ns_);
  on_tick_();
}

}  // namespace ckptsim
