// What a job is and how the runtime executes it: the operator graph with each
// operator's parameters, the checkpointing mode, the sink's delivery guarantee, the
// restart strategy and the network and cost model. Plain values; the scenario loader
// fills them from JSON with Flink's key names.
//
// Operator semantics (the oracle's reference execution implements the same rules on
// its own; see docs/semantics.md):
//   source            subtask s of parallelism P reads partitions {p : p % P == s} of the
//                     input log, each in offset order; its state is the next offset
//                     per partition.
//   map               value := value * map_multiplier + map_addend
//   filter            drops the record when filter_modulus > 0 and value % filter_modulus == 0
//   keyed aggregate   per key: count += 1, sum += value; emits the record with
//                     agg_count = count, agg_sum = sum. State: key -> (count, sum).
//   sequence checker  per (key, partition): offsets must strictly increase; a record
//                     that breaks this increments `violations` (state). Forwards all.
//   sink              writes the record to the external transactional store
//                     (two-phase commit, or at-least-once).
// Edges: forward i -> i; hash: consumer = operator_index_for_key(key, max_p, p);
// rebalance: round-robin per producer subtask starting at the producer's index;
// broadcast: every consumer subtask.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_coordinator_config.h"
#include "protocol/graph/job_graph.h"

namespace ckptsim {

struct OperatorParams {
  DurationNs cost_per_record_ns = 1 * kMicrosecond;  // simulated processing time
  std::int64_t map_multiplier = 3;
  std::int64_t map_addend = 1;
  std::int64_t filter_modulus = 0;                   // 0 keeps every record
};

enum class CheckpointingMode { kExactlyOnce, kAtLeastOnce };  // execution.checkpointing.mode
enum class SinkGuarantee { kExactlyOnce, kAtLeastOnce };       // sink.delivery-guarantee

enum class RestartStrategyKind { kNone, kFixedDelay, kExponentialDelay, kFailureRate };

// restart-strategy.* with Flink's keys and defaults.
struct RestartStrategySpec {
  RestartStrategyKind kind = RestartStrategyKind::kFixedDelay;
  // fixed-delay.attempts / fixed-delay.delay
  std::uint32_t fixed_delay_attempts = 1000;
  DurationNs fixed_delay_ns = 1 * kSecond;
  // exponential-delay.initial-backoff / max-backoff / backoff-multiplier / attempts
  DurationNs exponential_initial_backoff_ns = 1 * kSecond;
  DurationNs exponential_max_backoff_ns = 1 * kMinute;
  double exponential_backoff_multiplier = 2.0;
  std::uint32_t exponential_attempts = 1000;
  // failure-rate.max-failures-per-interval / failure-rate-interval / delay
  std::uint32_t failure_rate_max_failures = 1;
  DurationNs failure_rate_interval_ns = 1 * kMinute;
  DurationNs failure_rate_delay_ns = 1 * kSecond;
};

struct NetworkSpec {
  std::uint32_t buffer_size_bytes = 32 * 1024;     // taskmanager.memory.segment-size
  DurationNs buffer_timeout_ns = 100 * kMillisecond;  // execution.buffer-timeout.interval; 0: flush every step
  std::uint32_t credits_per_channel = 2;           // taskmanager.network.memory.buffers-per-channel
  DurationNs channel_latency_ns = 100 * kMicrosecond;
  std::uint64_t bandwidth_bytes_per_second = 0;    // 0: unlimited
};

struct ClusterSpec {
  std::uint32_t task_managers = 2;
  std::uint32_t slots_per_task_manager = 4;        // taskmanager.numberOfTaskSlots
  DurationNs heartbeat_interval_ns = 1 * kSecond;  // heartbeat.interval (Flink: 10s)
  DurationNs heartbeat_timeout_ns = 5 * kSecond;   // heartbeat.timeout (Flink: 50s)
  DurationNs task_deploy_ns = 10 * kMillisecond;   // time to deploy and start a task
};

struct StateCostModel {
  DurationNs sync_snapshot_ns_per_kib = 1 * kMicrosecond;  // copy-on-snapshot cost
  DurationNs restore_ns_per_kib = 2 * kMicrosecond;
};

struct JobSpec {
  std::vector<OperatorSpec> operators;
  std::vector<EdgeSpec> edges;
  std::map<std::string, OperatorParams> params;    // by operator name; missing = defaults
  bool checkpointing_enabled = true;
  CheckpointingMode checkpointing_mode = CheckpointingMode::kExactlyOnce;
  CheckpointCoordinatorConfig checkpointing;
  SinkGuarantee sink_guarantee = SinkGuarantee::kExactlyOnce;
  RestartStrategySpec restart;
  NetworkSpec network;
  ClusterSpec cluster;
  StateCostModel state_cost;

  const OperatorParams& params_of(const std::string& name) const {
    static const OperatorParams kDefaults{};
    auto it = params.find(name);
    return it == params.end() ? kDefaults : it->second;
  }
};

}  // namespace ckptsim
