#include "protocol/checkpoint/checkpoint_coordinator_config.h"

#include <charconv>

namespace ckptsim {
namespace {

Result<std::int32_t> parse_int(std::string_view key, std::string_view value) {
  std::int32_t parsed = 0;
  const char* end = value.data() + value.size();
  const auto [ptr, error] = std::from_chars(value.data(), end, parsed);
  if (error != std::errc() || ptr != end) {
    return Status::invalid_argument(std::string(key) + ": expected an integer, got '" + std::string(value) + "'");
  }
  return parsed;
}

Status set_duration(DurationNs& field, std::string_view key, std::string_view value) {
  Result<DurationNs> parsed = parse_duration(value);
  if (!parsed.is_ok()) return Status::invalid_argument(std::string(key) + ": " + parsed.status().message());
  field = parsed.value();
  return Status::ok();
}

Status set_int(std::int32_t& field, std::string_view key, std::string_view value) {
  Result<std::int32_t> parsed = parse_int(key, value);
  if (!parsed.is_ok()) return parsed.status();
  field = parsed.value();
  return Status::ok();
}

}  // namespace

Status validate(const CheckpointCoordinatorConfig& config) {
  if (config.interval_ns != 0 && config.interval_ns < kMinimalCheckpointTimeNs) {
    return Status::invalid_argument("execution.checkpointing.interval must be 0 (disabled) or at least 10ms, got " +
                                    format_duration(config.interval_ns));
  }
  if (config.timeout_ns < kMinimalCheckpointTimeNs) {
    return Status::invalid_argument("execution.checkpointing.timeout must be at least 10ms");
  }
  if (config.max_concurrent_checkpoints < 1) {
    return Status::invalid_argument("execution.checkpointing.max-concurrent-checkpoints must be at least 1");
  }
  if (config.min_pause_ns < 0 || config.min_pause_ns > kMaxMinPauseNs) {
    return Status::invalid_argument("execution.checkpointing.min-pause must be between 0 and 365d");
  }
  if (config.tolerable_failed_checkpoints < 0) {
    return Status::invalid_argument("execution.checkpointing.tolerable-failed-checkpoints must not be negative");
  }
  if (config.num_retained < 1) {
    return Status::invalid_argument("execution.checkpointing.num-retained must be at least 1");
  }
  if (config.max_queued_requests < 1) return Status::invalid_argument("the trigger request queue needs a bound >= 1");
  if (config.job_id.empty() || config.job_id.find('/') != std::string::npos) {
    return Status::invalid_argument("the job id must be a non-empty name without '/'");
  }
  return Status::ok();
}

Status set_checkpoint_config_value(CheckpointCoordinatorConfig& config, std::string_view key,
                                   std::string_view value) {
  if (key == "execution.checkpointing.interval") return set_duration(config.interval_ns, key, value);
  if (key == "execution.checkpointing.timeout") return set_duration(config.timeout_ns, key, value);
  if (key == "execution.checkpointing.min-pause") return set_duration(config.min_pause_ns, key, value);
  if (key == "execution.checkpointing.max-concurrent-checkpoints") {
    return set_int(config.max_concurrent_checkpoints, key, value);
  }
  if (key == "execution.checkpointing.tolerable-failed-checkpoints") {
    return set_int(config.tolerable_failed_checkpoints, key, value);
  }
  if (key == "execution.checkpointing.num-retained" || key == "state.checkpoints.num-retained") {
    return set_int(config.num_retained, key, value);
  }
  return Status::invalid_argument("unknown checkpoint option '" + std::string(key) + "'");
}

}  // namespace ckptsim
