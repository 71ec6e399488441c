// Restart strategies with Flink's semantics (restart-strategy.type):
//  * none:              never restart; the job fails on its first failure.
//  * fixed-delay:       restart after `delay`, at most `attempts` times in total.
//  * exponential-delay: restart after a backoff that starts at initial-backoff and is
//                       multiplied by backoff-multiplier after every restart, capped at
//                       max-backoff; at most `attempts` restarts.
//  * failure-rate:      restart after `delay` unless more than max-failures-per-interval
//                       failures happened within the last failure-rate-interval.
// The strategy is told of every failure and answers the delay before restarting, or
// nothing when the job must fail for good. It holds a bounded failure history.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "protocol/base/time.h"
#include "protocol/runtime/job_spec.h"

namespace ckptsim {

class RestartStrategy {
 public:
  explicit RestartStrategy(const RestartStrategySpec& spec);
  std::optional<DurationNs> on_failure(TimeNs now_ns);
  std::uint32_t restarts() const { return restarts_; }

 private:
  RestartStrategySpec spec_;
  std::uint32_t restarts_ = 0;
  DurationNs next_backoff_ns_ = 0;
  std::deque<TimeNs> failure_times_ns_;   // failure-rate window, bounded by max failures + 1
};

}  // namespace ckptsim
