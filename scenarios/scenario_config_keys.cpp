// The table of configuration keys (scenario_config.h). Each row's `set` stores a value
// that already passed the kind and range checks; `get` reads it back for printing.
#include <array>

#include "scenarios/scenario_config.h"

namespace ckptsim::scenarios {
namespace {

using enum ConfigValueKind;

constexpr DurationNs kYear = 365 * kDay;
constexpr std::int64_t kInt32Max = INT32_MAX;

constexpr std::array<std::string_view, 2> kCheckpointingModes = {"EXACTLY_ONCE", "AT_LEAST_ONCE"};
constexpr std::array<std::string_view, 2> kDeliveryGuarantees = {"exactly-once", "at-least-once"};
constexpr std::array<std::string_view, 4> kRestartStrategies = {"none", "fixed-delay", "exponential-delay",
                                                                "failure-rate"};
constexpr std::array<std::string_view, 4> kStateBackends = {"memory", "hashmap", "filesystem", "rocksdb"};

ConfigValue integer_value(std::int64_t integer) { return ConfigValue{.integer = integer}; }
ConfigValue number_value(double number) { return ConfigValue{.number = number}; }
ConfigValue text_value(std::string_view text) { return ConfigValue{.text = std::string(text)}; }

// Coordinator keys go through the coordinator's own parser, in Flink's text syntax.
Status set_checkpoint_duration(Scenario& s, std::string_view key, const ConfigValue& v) {
  return set_checkpoint_config_value(s.job.checkpointing, key, format_duration(v.integer));
}
Status set_checkpoint_integer(Scenario& s, std::string_view key, const ConfigValue& v) {
  return set_checkpoint_config_value(s.job.checkpointing, key, std::to_string(v.integer));
}

// Keys kept as canonical text for a later issue to model.
Status set_extra(Scenario& s, std::string_view key, const ConfigValue& v) {
  const ConfigKeyInfo* info = find_config_key(key);
  const bool is_bool = info != nullptr && info->kind == kBool;
  s.extra_config[std::string(key)] = is_bool ? (v.flag ? "true" : "false") : v.text;
  return Status::ok();
}
ConfigValue get_extra(const Scenario& s, std::string_view key) {
  const auto it = s.extra_config.find(std::string(key));
  if (it == s.extra_config.end()) return {};
  return ConfigValue{.flag = it->second == "true", .text = it->second};
}

RestartStrategyKind restart_kind_from_name(std::string_view name) {
  if (name == "none") return RestartStrategyKind::kNone;
  if (name == "exponential-delay") return RestartStrategyKind::kExponentialDelay;
  if (name == "failure-rate") return RestartStrategyKind::kFailureRate;
  return RestartStrategyKind::kFixedDelay;
}

std::string_view restart_kind_name(RestartStrategyKind kind) {
  switch (kind) {
    case RestartStrategyKind::kNone: return "none";
    case RestartStrategyKind::kFixedDelay: return "fixed-delay";
    case RestartStrategyKind::kExponentialDelay: return "exponential-delay";
    case RestartStrategyKind::kFailureRate: return "failure-rate";
  }
  CKPT_UNREACHABLE("unknown restart strategy");
}

Status set_segment_size(Scenario& s, std::string_view, const ConfigValue& v) {
  // Flink requires a power of two (memory pages are carved out of segments).
  if ((v.integer & (v.integer - 1)) != 0) {
    return Status::invalid_argument("expected a power of two, got " + format_memory_size(static_cast<std::uint64_t>(v.integer)));
  }
  s.job.network.buffer_size_bytes = static_cast<std::uint32_t>(v.integer);
  return Status::ok();
}

Status set_job_id(Scenario& s, std::string_view, const ConfigValue& v) {
  if (v.text.find('/') != std::string::npos) {
    return Status::invalid_argument("expected a name without '/' (it prefixes checkpoint blob names), got \"" + v.text + "\"");
  }
  s.job.checkpointing.job_id = v.text;
  return Status::ok();
}

constexpr ConfigKeyInfo kConfigKeys[] = {
    // Checkpointing (the checkpoint coordinator).
    {.key = "execution.checkpointing.interval", .kind = kDuration, .min = 0, .max = kYear, .default_text = "0ms",
     .description = "Time between periodic checkpoint triggers. 0 disables checkpointing, as in Flink; otherwise at least 10ms.",
     .set = set_checkpoint_duration,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.interval_ns); }},
    {.key = "execution.checkpointing.timeout", .kind = kDuration, .min = 0, .max = kYear, .default_text = "10min",
     .description = "A pending checkpoint that has not completed after this long is expired (at least 10ms).",
     .set = set_checkpoint_duration,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.timeout_ns); }},
    {.key = "execution.checkpointing.min-pause", .kind = kDuration, .min = 0, .max = kYear, .default_text = "0ms",
     .description = "Minimum time between the end of one checkpoint and the trigger of the next.",
     .set = set_checkpoint_duration,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.min_pause_ns); }},
    {.key = "execution.checkpointing.max-concurrent-checkpoints", .kind = kInteger, .min = 1, .max = 1000,
     .default_text = "1", .description = "How many checkpoints may be pending at the same time.",
     .set = set_checkpoint_integer,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.max_concurrent_checkpoints); }},
    {.key = "execution.checkpointing.tolerable-failed-checkpoints", .kind = kInteger, .min = 0, .max = kInt32Max,
     .default_text = "0",
     .description = "Consecutive checkpoint failures (declined, expired, I/O) tolerated before the job fails over.",
     .set = set_checkpoint_integer,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.tolerable_failed_checkpoints); }},
    {.key = "execution.checkpointing.num-retained", .kind = kInteger, .min = 1, .max = 1000, .default_text = "1",
     .description = "How many completed checkpoints are retained (the latest one is always kept).",
     .set = set_checkpoint_integer,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.checkpointing.num_retained); }},
    {.key = "execution.checkpointing.mode", .kind = kChoice, .choices = kCheckpointingModes,
     .default_text = "EXACTLY_ONCE",
     .description = "EXACTLY_ONCE aligns barriers (channels block after their barrier); AT_LEAST_ONCE only counts them.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.checkpointing_mode =
           v.text == "EXACTLY_ONCE" ? CheckpointingMode::kExactlyOnce : CheckpointingMode::kAtLeastOnce;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return text_value(s.job.checkpointing_mode == CheckpointingMode::kExactlyOnce ? "EXACTLY_ONCE" : "AT_LEAST_ONCE");
     }},
    {.key = "ckptsim.checkpointing.max-queued-requests", .kind = kInteger, .min = 1, .max = 1'000'000,
     .default_text = "1000", .description = "Bound of the coordinator's trigger request queue (Flink hard-codes 1000).",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.checkpointing.max_queued_requests = static_cast<std::size_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return integer_value(static_cast<std::int64_t>(s.job.checkpointing.max_queued_requests));
     }},
    {.key = "ckptsim.checkpointing.job-id", .default_text = "job",
     .description = "Name prefix of the job's checkpoint blobs (\"<job-id>/chk-<id>/...\"); no '/'.",
     .set = set_job_id, .get = [](const Scenario& s, std::string_view) { return text_value(s.job.checkpointing.job_id); }},
    // Sink.
    {.key = "sink.delivery-guarantee", .kind = kChoice, .choices = kDeliveryGuarantees, .default_text = "exactly-once",
     .description = "exactly-once: two-phase commit, committed on checkpoint completion; at-least-once: written directly.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.sink_guarantee = v.text == "exactly-once" ? SinkGuarantee::kExactlyOnce : SinkGuarantee::kAtLeastOnce;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return text_value(s.job.sink_guarantee == SinkGuarantee::kExactlyOnce ? "exactly-once" : "at-least-once");
     }},
    // Restart strategy.
    {.key = "restart-strategy.type", .kind = kChoice, .choices = kRestartStrategies, .default_text = "fixed-delay",
     .description = "How the job restarts after a failure: none, fixed-delay, exponential-delay or failure-rate.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.kind = restart_kind_from_name(v.text);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return text_value(restart_kind_name(s.job.restart.kind)); }},
    {.key = "restart-strategy.fixed-delay.attempts", .kind = kInteger, .min = 0, .max = kInt32Max,
     .default_text = "1000", .description = "Restarts allowed before the job fails for good.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.fixed_delay_attempts = static_cast<std::uint32_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.fixed_delay_attempts); }},
    {.key = "restart-strategy.fixed-delay.delay", .kind = kDuration, .min = 0, .max = kDay, .default_text = "1s",
     .description = "Delay before each restart.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.fixed_delay_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.fixed_delay_ns); }},
    {.key = "restart-strategy.exponential-delay.initial-backoff", .kind = kDuration, .min = 0, .max = kDay,
     .default_text = "1s", .description = "Delay before the first restart.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.exponential_initial_backoff_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.exponential_initial_backoff_ns); }},
    {.key = "restart-strategy.exponential-delay.max-backoff", .kind = kDuration, .min = 0, .max = kDay,
     .default_text = "1min", .description = "Upper bound of the delay; at least the initial backoff.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.exponential_max_backoff_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.exponential_max_backoff_ns); }},
    {.key = "restart-strategy.exponential-delay.backoff-multiplier", .kind = kNumber, .number_min = 1.0,
     .number_max = 1000.0, .default_text = "2.0", .description = "Factor applied to the delay after each restart.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.exponential_backoff_multiplier = v.number;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return number_value(s.job.restart.exponential_backoff_multiplier); }},
    {.key = "restart-strategy.exponential-delay.attempts", .kind = kInteger, .min = 0, .max = kInt32Max,
     .default_text = "1000", .description = "Restarts allowed before the job fails for good.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.exponential_attempts = static_cast<std::uint32_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.exponential_attempts); }},
    {.key = "restart-strategy.failure-rate.max-failures-per-interval", .kind = kInteger, .min = 1, .max = kInt32Max,
     .default_text = "1", .description = "Failures tolerated within one failure-rate interval.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.failure_rate_max_failures = static_cast<std::uint32_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.failure_rate_max_failures); }},
    {.key = "restart-strategy.failure-rate.failure-rate-interval", .kind = kDuration, .min = 1, .max = kYear,
     .default_text = "1min", .description = "The sliding window in which failures are counted.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.failure_rate_interval_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.failure_rate_interval_ns); }},
    {.key = "restart-strategy.failure-rate.delay", .kind = kDuration, .min = 0, .max = kDay, .default_text = "1s",
     .description = "Delay before each restart.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.restart.failure_rate_delay_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.restart.failure_rate_delay_ns); }},
    // Cluster.
    {.key = "taskmanager.numberOfTaskSlots", .kind = kInteger, .min = 1, .max = 1024, .default_text = "4",
     .description = "Task slots per task manager.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.cluster.slots_per_task_manager = static_cast<std::uint32_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.cluster.slots_per_task_manager); }},
    {.key = "heartbeat.interval", .kind = kDuration, .min = kMillisecond, .max = kHour, .default_text = "1s",
     .description = "How often the job manager and task managers exchange heartbeats.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.cluster.heartbeat_interval_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.cluster.heartbeat_interval_ns); }},
    {.key = "heartbeat.timeout", .kind = kDuration, .min = kMillisecond, .max = kDay, .default_text = "5s",
     .description = "A peer not heard from for this long is declared dead; at least heartbeat.interval.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.cluster.heartbeat_timeout_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.cluster.heartbeat_timeout_ns); }},
    {.key = "ckptsim.cluster.task-deploy-time", .kind = kDuration, .min = 0, .max = kMinute, .default_text = "10ms",
     .description = "Simulated time to deploy and start one task.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.cluster.task_deploy_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.cluster.task_deploy_ns); }},
    // Network.
    {.key = "taskmanager.memory.segment-size", .kind = kMemorySize, .min = 4096, .max = 64 * 1024 * 1024,
     .default_text = "32kb", .description = "Size of a network buffer; a power of two.",
     .set = set_segment_size,
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.network.buffer_size_bytes); }},
    {.key = "execution.buffer-timeout.interval", .kind = kDuration, .min = 0, .max = kMinute, .default_text = "100ms",
     .description = "A partly filled buffer is flushed after this long; 0 flushes after every record.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.network.buffer_timeout_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.network.buffer_timeout_ns); }},
    {.key = "taskmanager.network.memory.buffers-per-channel", .kind = kInteger, .min = 1, .max = 1024,
     .default_text = "2", .description = "Exclusive buffers (credits) per input channel: the bound behind backpressure.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.network.credits_per_channel = static_cast<std::uint32_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.network.credits_per_channel); }},
    {.key = "ckptsim.network.latency", .kind = kDuration, .min = 0, .max = kMinute, .default_text = "100us",
     .description = "One-way latency of a data channel.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.network.channel_latency_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.network.channel_latency_ns); }},
    {.key = "ckptsim.network.bandwidth", .kind = kMemorySize, .min = 0, .max = std::int64_t{1} << 40,
     .default_text = "0b", .description = "Bytes per second a data channel carries (memory-size syntax); 0 is unlimited.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.network.bandwidth_bytes_per_second = static_cast<std::uint64_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return integer_value(static_cast<std::int64_t>(s.job.network.bandwidth_bytes_per_second));
     }},
    // State cost model.
    {.key = "ckptsim.state.sync-snapshot-cost-per-kib", .kind = kDuration, .min = 0, .max = kSecond,
     .default_text = "1us", .description = "Simulated time of the synchronous snapshot phase per KiB of state.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.state_cost.sync_snapshot_ns_per_kib = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.state_cost.sync_snapshot_ns_per_kib); }},
    {.key = "ckptsim.state.restore-cost-per-kib", .kind = kDuration, .min = 0, .max = kSecond, .default_text = "2us",
     .description = "Simulated time to restore one KiB of state.",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.job.state_cost.restore_ns_per_kib = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.job.state_cost.restore_ns_per_kib); }},
    // Simulated checkpoint storage model.
    {.key = "ckptsim.storage.latency", .kind = kDuration, .min = 0, .max = kMinute, .default_text = "5ms",
     .description = "Latency of one operation of the simulated checkpoint storage (put, get, remove).",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.storage.latency_ns = v.integer;
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) { return integer_value(s.storage.latency_ns); }},
    {.key = "ckptsim.storage.write-bytes-per-second", .kind = kInteger, .min = 1, .max = std::int64_t{1} << 40,
     .default_text = "200000000", .description = "Write bandwidth of the simulated checkpoint storage (uploads).",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.storage.write_bytes_per_second = static_cast<std::uint64_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return integer_value(static_cast<std::int64_t>(s.storage.write_bytes_per_second));
     }},
    {.key = "ckptsim.storage.read-bytes-per-second", .kind = kInteger, .min = 1, .max = std::int64_t{1} << 40,
     .default_text = "400000000", .description = "Read bandwidth of the simulated checkpoint storage (restores).",
     .set = [](Scenario& s, std::string_view, const ConfigValue& v) {
       s.storage.read_bytes_per_second = static_cast<std::uint64_t>(v.integer);
       return Status::ok();
     },
     .get = [](const Scenario& s, std::string_view) {
       return integer_value(static_cast<std::int64_t>(s.storage.read_bytes_per_second));
     }},
    // State backend and checkpoint storage (docs/state-backends.md).
    {.key = "state.backend.type", .kind = kChoice, .choices = kStateBackends, .extra = true, .default_text = "hashmap",
     .description = "The keyed state backend: hashmap (in memory; memory and filesystem are accepted as aliases) or "
                    "rocksdb (embedded RocksDB in a per-task directory of the run directory).",
     .set = set_extra, .get = get_extra},
    {.key = "execution.checkpointing.dir", .kind = kString, .extra = true, .default_text = "(unset)",
     .description = "When set, checkpoint data is also written as real files (filesystem checkpoint storage) under "
                    "the run's own temporary directory; unset: the simulated in-memory blob store only.",
     .set = set_extra, .get = get_extra},
    {.key = "execution.checkpointing.incremental", .kind = kBool, .extra = true, .default_text = "false",
     .description = "Incremental RocksDB checkpoints (rocksdb only; ignored by hashmap): tasks upload only new SST "
                    "files and the coordinator reference-counts shared files, see docs/state-backends.md.",
     .set = set_extra, .get = get_extra},
};

}  // namespace

std::span<const ConfigKeyInfo> config_keys() { return kConfigKeys; }

const ConfigKeyInfo* find_config_key(std::string_view key) {
  for (const ConfigKeyInfo& info : kConfigKeys) {
    if (info.key == key) return &info;
  }
  return nullptr;
}

}  // namespace ckptsim::scenarios
