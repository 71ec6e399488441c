#include "protocol/runtime/restart_strategy.h"

#include <algorithm>

#include "protocol/base/assert.h"

namespace ckptsim {

RestartStrategy::RestartStrategy(const RestartStrategySpec& spec)
    : spec_(spec), next_backoff_ns_(spec.exponential_initial_backoff_ns) {
  CKPT_ASSERT(spec.fixed_delay_ns >= 0 && spec.failure_rate_delay_ns >= 0, "restart delays are non-negative");
  CKPT_ASSERT(spec.exponential_backoff_multiplier >= 1.0, "backoff multiplier is at least 1");
}

std::optional<DurationNs> RestartStrategy::on_failure(TimeNs now_ns) {
  switch (spec_.kind) {
    case RestartStrategyKind::kNone:
      return std::nullopt;
    case RestartStrategyKind::kFixedDelay:
      if (restarts_ >= spec_.fixed_delay_attempts) return std::nullopt;
      ++restarts_;
      return spec_.fixed_delay_ns;
    case RestartStrategyKind::kExponentialDelay: {
      if (restarts_ >= spec_.exponential_attempts) return std::nullopt;
      ++restarts_;
      const DurationNs delay_ns = next_backoff_ns_;
      const double grown = static_cast<double>(next_backoff_ns_) * spec_.exponential_backoff_multiplier;
      next_backoff_ns_ = grown >= static_cast<double>(spec_.exponential_max_backoff_ns)
                             ? spec_.exponential_max_backoff_ns
                             : static_cast<DurationNs>(grown);
      return std::min(delay_ns, spec_.exponential_max_backoff_ns);
    }
    case RestartStrategyKind::kFailureRate: {
      failure_times_ns_.push_back(now_ns);
      while (!failure_times_ns_.empty() && failure_times_ns_.front() <= now_ns - spec_.failure_rate_interval_ns) {
        failure_times_ns_.pop_front();
      }
      if (failure_times_ns_.size() > spec_.failure_rate_max_failures) return std::nullopt;
      ++restarts_;
      return spec_.failure_rate_delay_ns;
    }
  }
  CKPT_UNREACHABLE("unknown restart strategy");
}

}  // namespace ckptsim
