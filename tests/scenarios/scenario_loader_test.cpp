// Scenarios for the scenario loader: a full scenario parses into the expected values,
// the canonical form round-trips, every class of user error is reported at its JSON path
// with what was expected, and no mutation of a valid file crashes the loader.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "scenarios/json_path.h"
#include "scenarios/scenario_config.h"
#include "scenarios/scenario_faults.h"
#include "scenarios/scenario_job.h"
#include "scenarios/scenario_loader.h"

namespace ckptsim::scenarios {
namespace {

// Every section and most options, as a user would write them.
constexpr const char* kFullScenario = R"json({
  "name": "tm-crash-then-jm-crash",
  "description": "A task manager dies, then the job manager.",
  "seed": 7,
  "job": {
    "operators": [
      {"name": "source", "kind": "source", "parallelism": 2, "max-parallelism": 128, "cost-per-record": "1us"},
      {"name": "count", "kind": "keyed-aggregate", "parallelism": 2},
      {"name": "double", "kind": "map", "multiplier": 2, "addend": 0},
      {"name": "drop-fives", "kind": "filter", "modulus": 5},
      {"name": "check", "kind": "sequence-checker"},
      {"name": "sink", "kind": "sink"}
    ],
    "edges": [
      {"from": "source", "to": "count", "partitioning": "hash"},
      {"from": "count", "to": "double", "partitioning": "rebalance"},
      {"from": "double", "to": "drop-fives"},
      {"from": "drop-fives", "to": "check", "partitioning": "hash"},
      {"from": "check", "to": "sink", "partitioning": "forward", "iteration": false}
    ]
  },
  "input": {"partitions": 4, "records-per-partition": 25000, "records-per-second": 50000, "keys": 1000,
            "key-distribution": "zipf", "zipf-exponent": 1.1},
  "config": {
    "execution.checkpointing.interval": "500ms",
    "execution.checkpointing.timeout": "1min",
    "execution.checkpointing.min-pause": 100,
    "execution.checkpointing.max-concurrent-checkpoints": 2,
    "execution.checkpointing.tolerable-failed-checkpoints": "3",
    "execution.checkpointing.num-retained": 2,
    "execution.checkpointing.mode": "at_least_once",
    "sink.delivery-guarantee": "at-least-once",
    "restart-strategy.type": "exponential-delay",
    "restart-strategy.exponential-delay.initial-backoff": "200ms",
    "restart-strategy.exponential-delay.max-backoff": "10s",
    "restart-strategy.exponential-delay.backoff-multiplier": 1.5,
    "restart-strategy.exponential-delay.attempts": 20,
    "taskmanager.numberOfTaskSlots": 3,
    "heartbeat.interval": "500ms",
    "heartbeat.timeout": "2s",
    "taskmanager.memory.segment-size": "16kb",
    "execution.buffer-timeout.interval": "10ms",
    "taskmanager.network.memory.buffers-per-channel": 4,
    "ckptsim.network.latency": "50us",
    "ckptsim.network.bandwidth": "100mb",
    "ckptsim.state.sync-snapshot-cost-per-kib": "3us",
    "ckptsim.cluster.task-deploy-time": "20ms",
    "state.backend.type": "RocksDB",
    "execution.checkpointing.dir": "file:///tmp/checkpoints",
    "execution.checkpointing.incremental": "true"
  },
  "cluster": {"task-managers": 2},
  "faults": [
    {"type": "task-manager-crash", "at": "1500ms", "target": "tm-0", "restart-after": "2s"},
    {"type": "job-manager-crash", "at": "4s", "restart-after": "1s"},
    {"type": "network-partition", "at": "6s", "duration": "3s", "target": "tm-1", "peer": "jm"},
    {"type": "link-clog", "at": "10s", "duration": "500ms", "target": "sink-store"},
    {"type": "sink-store-crash", "at": "20s"}
  ],
  "run": {"max-duration": "2min", "liveness-bound": "30s"},
  "expect": {"verdict": "pass", "min-completed-checkpoints": 5, "restarts": 1}
})json";

constexpr const char* kMinimalScenario = R"json({
  "name": "minimal",
  "job": {"operators": [{"name": "source", "kind": "source"}, {"name": "sink", "kind": "sink"}],
          "edges": [{"from": "source", "to": "sink"}]}
})json";

Scenario parse_ok(const std::string& text) {
  Result<Scenario> result = parse_scenario(text);
  if (!result.is_ok()) FAIL("expected a valid scenario, got: " << result.status().message());
  return std::move(result).value();
}

std::string parse_error(const std::string& text) {
  Result<Scenario> result = parse_scenario(text);
  if (result.is_ok()) FAIL("expected an error for: " << text);
  CHECK(result.status().code() == StatusCode::kInvalidArgument);
  return result.status().message();
}

// The full scenario with `patch` merged in (RFC 7386: a null value deletes a field).
std::string full_with(const Json& patch) {
  Json document = Json::parse(kFullScenario);
  document.merge_patch(patch);
  return document.dump();
}

// The minimal scenario with `patch` merged in.
std::string minimal_with(const Json& patch) {
  Json document = Json::parse(kMinimalScenario);
  document.merge_patch(patch);
  return document.dump();
}

// The full scenario with one operator/edge/fault array element replaced.
std::string full_with_element(const char* pointer, const Json& value) {
  Json document = Json::parse(kFullScenario);
  document[Json::json_pointer(pointer)] = value;
  return document.dump();
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

#define CHECK_ERROR(text, path_and_message)                                         \
  do {                                                                              \
    const std::string message_ = parse_error(text);                                 \
    INFO("message: " << message_);                                                  \
    CHECK(starts_with(message_, path_and_message));                                 \
  } while (false)

TEST_CASE("scenario loader: the full example parses into the expected job", "[unit][scenario]") {
  const Scenario s = parse_ok(kFullScenario);
  CHECK(s.name == "tm-crash-then-jm-crash");
  CHECK(s.description == "A task manager dies, then the job manager.");
  CHECK(s.seed == 7);
  REQUIRE(s.job.operators.size() == 6);
  CHECK(s.job.operators[0].kind == OperatorKind::kSource);
  CHECK(s.job.operators[0].parallelism == 2);
  CHECK(s.job.operators[0].max_parallelism == 128);
  CHECK(s.job.operators[1].kind == OperatorKind::kKeyedAggregate);
  CHECK(s.job.operators[2].parallelism == 1);
  CHECK(s.job.operators[2].max_parallelism == 0);
  CHECK(s.job.operators[4].kind == OperatorKind::kSequenceChecker);
  CHECK(s.job.params.size() == 6);
  CHECK(s.job.params_of("source").cost_per_record_ns == kMicrosecond);
  CHECK(s.job.params_of("double").map_multiplier == 2);
  CHECK(s.job.params_of("double").map_addend == 0);
  CHECK(s.job.params_of("drop-fives").filter_modulus == 5);
  REQUIRE(s.job.edges.size() == 5);
  CHECK(s.job.edges[0].partitioning == Partitioning::kHashByKey);
  CHECK(s.job.edges[1].partitioning == Partitioning::kRebalance);
  CHECK(s.job.edges[2].partitioning == Partitioning::kForward);
  CHECK_FALSE(s.job.edges[4].iteration);
  CHECK(s.input.seed == 7);
  CHECK(s.input.partitions == 4);
  CHECK(s.input.records_per_partition == 25000);
  CHECK(s.input.records_per_second == 50000);
  CHECK(s.input.key_count == 1000);
  CHECK(s.input.key_distribution == sim::KeyDistribution::kZipf);
  CHECK(s.input.zipf_exponent == 1.1);
}

TEST_CASE("scenario loader: the full example's config, faults, run and expectations", "[unit][scenario]") {
  const Scenario s = parse_ok(kFullScenario);
  CHECK(s.job.checkpointing_enabled);
  CHECK(s.job.checkpointing.interval_ns == 500 * kMillisecond);
  CHECK(s.job.checkpointing.timeout_ns == kMinute);
  CHECK(s.job.checkpointing.min_pause_ns == 100 * kMillisecond);  // a bare number is milliseconds
  CHECK(s.job.checkpointing.max_concurrent_checkpoints == 2);
  CHECK(s.job.checkpointing.tolerable_failed_checkpoints == 3);
  CHECK(s.job.checkpointing.num_retained == 2);
  CHECK(s.job.checkpointing_mode == CheckpointingMode::kAtLeastOnce);
  CHECK(s.job.sink_guarantee == SinkGuarantee::kAtLeastOnce);
  CHECK(s.job.restart.kind == RestartStrategyKind::kExponentialDelay);
  CHECK(s.job.restart.exponential_initial_backoff_ns == 200 * kMillisecond);
  CHECK(s.job.restart.exponential_max_backoff_ns == 10 * kSecond);
  CHECK(s.job.restart.exponential_backoff_multiplier == 1.5);
  CHECK(s.job.restart.exponential_attempts == 20);
  CHECK(s.job.cluster.task_managers == 2);
  CHECK(s.job.cluster.slots_per_task_manager == 3);
  CHECK(s.job.cluster.heartbeat_interval_ns == 500 * kMillisecond);
  CHECK(s.job.cluster.heartbeat_timeout_ns == 2 * kSecond);
  CHECK(s.job.cluster.task_deploy_ns == 20 * kMillisecond);
  CHECK(s.job.network.buffer_size_bytes == 16 * 1024);
  CHECK(s.job.network.buffer_timeout_ns == 10 * kMillisecond);
  CHECK(s.job.network.credits_per_channel == 4);
  CHECK(s.job.network.channel_latency_ns == 50 * kMicrosecond);
  CHECK(s.job.network.bandwidth_bytes_per_second == 100 * 1024 * 1024);
  CHECK(s.job.state_cost.sync_snapshot_ns_per_kib == 3 * kMicrosecond);
  CHECK(s.extra_config == std::map<std::string, std::string>{{"state.backend.type", "rocksdb"},
                                                             {"execution.checkpointing.dir", "file:///tmp/checkpoints"},
                                                             {"execution.checkpointing.incremental", "true"}});
  REQUIRE(s.faults.size() == 5);
  CHECK(s.faults[0].type == "task-manager-crash");
  CHECK(s.faults[0].at_ns == 1500 * kMillisecond);
  CHECK(s.faults[0].target == "tm-0");
  CHECK(s.faults[0].restart_after_ns == 2 * kSecond);
  CHECK(s.faults[1].type == "job-manager-crash");
  CHECK(s.faults[1].restart_after_ns == kSecond);
  CHECK(s.faults[2].duration_ns == 3 * kSecond);
  CHECK(s.faults[2].peer == "jm");
  CHECK(s.faults[3].peer.empty());
  CHECK(s.faults[4].restart_after_ns == kSecond);  // the sink store's default downtime
  CHECK(s.run.max_duration_ns == 2 * kMinute);
  CHECK(s.run.liveness_bound_ns == 30 * kSecond);
  CHECK(s.expect.verdict_pass == std::optional<bool>(true));
  CHECK(s.expect.min_completed_checkpoints == std::optional<std::uint64_t>(5));
  CHECK(s.expect.restarts == std::optional<std::uint64_t>(1));
  CHECK_FALSE(s.expect.min_restarts.has_value());
}

TEST_CASE("scenario loader: absent sections take the documented defaults", "[unit][scenario]") {
  const Scenario s = parse_ok(kMinimalScenario);
  const Scenario defaults;
  CHECK(s.seed == 1);
  CHECK(s.description.empty());
  CHECK_FALSE(s.job.checkpointing_enabled);  // Flink: no interval, no checkpoints
  CHECK(s.job.checkpointing.timeout_ns == 10 * kMinute);
  CHECK(s.job.cluster.task_managers == defaults.job.cluster.task_managers);
  CHECK(s.job.restart.kind == RestartStrategyKind::kFixedDelay);
  CHECK(s.input.partitions == defaults.input.partitions);
  CHECK(s.input.seed == 1);
  CHECK(s.faults.empty());
  CHECK(s.run.max_duration_ns == 5 * kMinute);
  CHECK(s.run.liveness_bound_ns == 60 * kSecond);
  CHECK_FALSE(s.expect.verdict_pass.has_value());
  CHECK(s.extra_config.empty());
  CHECK(s.job.params_of("sink").cost_per_record_ns == kMicrosecond);
  CHECK(s.job.edges[0].partitioning == Partitioning::kForward);
}

TEST_CASE("scenario loader: the canonical form round-trips and spells out every field", "[unit][scenario]") {
  for (const char* text : {kFullScenario, kMinimalScenario}) {
    const Json canonical = scenario_to_json(parse_ok(text));
    const Json again = scenario_to_json(parse_ok(canonical.dump(2)));
    CHECK(again == canonical);
    CHECK(again.dump() == canonical.dump());
  }
  const Json canonical = scenario_to_json(parse_ok(kMinimalScenario));
  CHECK(canonical["config"]["execution.checkpointing.timeout"] == "10min");
  CHECK(canonical["config"]["taskmanager.memory.segment-size"] == "32kb");
  CHECK_FALSE(canonical["config"].contains("state.backend.type"));  // extra keys only when set
  CHECK(canonical["run"]["max-duration"] == "5min");
  CHECK(canonical["job"]["operators"][0]["cost-per-record"] == "1us");
  CHECK(canonical["job"]["edges"][0]["partitioning"] == "forward");
  CHECK(canonical["input"]["key-distribution"] == "uniform");
  const Json full = scenario_to_json(parse_ok(kFullScenario));
  CHECK(full["faults"][0]["restart-after"] == "2s");
  CHECK(full["faults"][4]["restart-after"] == "1s");
  CHECK_FALSE(full["faults"][3].contains("peer"));
  CHECK(full["config"]["execution.checkpointing.mode"] == "AT_LEAST_ONCE");
  CHECK(full["config"]["execution.checkpointing.incremental"] == true);
  CHECK(full["config"]["ckptsim.network.bandwidth"] == "100mb");
  CHECK(full["job"]["operators"][2]["multiplier"] == 2);
  CHECK_FALSE(full["job"]["operators"][3].contains("multiplier"));
}

TEST_CASE("scenario loader: a task-manager crash without restart-after stays down", "[unit][scenario]") {
  const Scenario s = parse_ok(minimal_with({{"faults", Json::array({Json::object({{"type", "task-manager-crash"}, {"at", "1s"}, {"target", "tm-1"}})})}}));
  REQUIRE(s.faults.size() == 1);
  CHECK(s.faults[0].restart_after_ns == kRestartNever);
  CHECK(fault_to_json(s.faults[0])["restart-after"] == "never");
}

TEST_CASE("scenario loader: text that is not JSON is reported with line and column", "[unit][scenario]") {
  const std::string message = parse_error("{\n  \"name\": \"x\",\n  \"seed\": ,\n}");
  CHECK(starts_with(message, "$: invalid JSON at line 3, column 11: "));
  CHECK(starts_with(parse_error(""), "$: invalid JSON at line 1, column 1: "));
  CHECK(starts_with(parse_error("[1e999]"), "$: invalid JSON: number overflow"));
  CHECK(starts_with(parse_error("{\"name\": \"x\"} trailing"), "$: invalid JSON at line 1, column "));
}

TEST_CASE("scenario loader: a field given twice is an error", "[unit][scenario]") {
  CHECK_ERROR(R"({"name": "a", "seed": 1, "seed": 2})", "$.seed: duplicate field");
  CHECK_ERROR(R"({"name": "a", "job": {"operators": [{"name": "s", "kind": "source"},
              {"name": "t", "kind": "sink", "kind": "map"}]}})",
              "$.job.operators[1].kind: duplicate field");
}

TEST_CASE("scenario loader: a value of the wrong type names what was expected", "[unit][scenario]") {
  CHECK(parse_error(full_with_element("/job/operators/2/parallelism", "two")) ==
        "$.job.operators[2].parallelism: expected an integer in [1, 32768], got \"two\"");
  CHECK_ERROR("[1, 2]", "$: expected an object, got an array");
  CHECK_ERROR(full_with({{"name", 5}}), "$.name: expected a string, got 5");
  CHECK_ERROR(full_with({{"input", {{"keys", 2.5}}}}), "$.input.keys: expected an integer in [1, 4503599627370496], got 2.5");
  CHECK_ERROR(full_with({{"job", {{"edges", "none"}}}}), "$.job.edges: expected an array");
  CHECK_ERROR(full_with_element("/job/edges/4/iteration", "no"), "$.job.edges[4].iteration: expected true or false, got \"no\"");
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.incremental", 1}}}}),
              "$.config['execution.checkpointing.incremental']: expected true or false, got 1");
  CHECK_ERROR(full_with({{"seed", -1}}), "$.seed: expected an integer in [0, 18446744073709551615], got -1");
  CHECK_ERROR(full_with({{"run", "fast"}}), "$.run: expected an object, got \"fast\"");
}

TEST_CASE("scenario loader: a missing required field is named", "[unit][scenario]") {
  CHECK_ERROR(full_with({{"name", nullptr}}), "$.name: missing required field");
  CHECK_ERROR(full_with({{"job", nullptr}}), "$.job: missing required field");
  CHECK_ERROR(full_with({{"job", {{"operators", nullptr}}}}), "$.job.operators: missing required field");
  CHECK_ERROR(full_with_element("/job/operators/1", {{"name", "count"}}), "$.job.operators[1].kind: missing required field");
  CHECK_ERROR(full_with_element("/job/edges/0", {{"from", "source"}}), "$.job.edges[0].to: missing required field");
  CHECK_ERROR(full_with_element("/faults/2", {{"type", "network-partition"}, {"at", "1s"}, {"target", "jm"}, {"peer", "tm-0"}}),
              "$.faults[2].duration: missing required field (a network-partition fault needs 'at', 'duration', "
              "'target', 'peer')");
}

TEST_CASE("scenario loader: unknown fields are rejected at every level with a suggestion", "[unit][scenario]") {
  CHECK(parse_error(full_with({{"sed", 3}})) == "$.sed: unknown field in a scenario; did you mean 'seed'?");
  CHECK_ERROR(full_with({{"job", {{"operator", Json::array()}}}}), "$.job.operator: unknown field in the job; did you mean 'operators'?");
  CHECK_ERROR(full_with_element("/job/operators/0/paralelism", 3),
              "$.job.operators[0].paralelism: unknown field in a source operator; did you mean 'parallelism'?");
  CHECK_ERROR(full_with_element("/job/operators/3/multiplier", 3),
              "$.job.operators[3].multiplier: unknown field in a filter operator; expected one of 'name', 'kind'");
  CHECK_ERROR(full_with_element("/job/edges/0/partition", "hash"),
              "$.job.edges[0].partition: unknown field in an edge; did you mean 'partitioning'?");
  CHECK_ERROR(full_with({{"input", {{"partitons", 3}}}}), "$.input.partitons: unknown field in the input section; did you mean 'partitions'?");
  CHECK_ERROR(full_with({{"cluster", {{"taskmanagers", 3}}}}), "$.cluster.taskmanagers: unknown field in the cluster section; did you mean 'task-managers'?");
  CHECK_ERROR(full_with({{"run", {{"max-duraton", "1min"}}}}), "$.run.max-duraton: unknown field in the run section; did you mean 'max-duration'?");
  CHECK_ERROR(full_with({{"expect", {{"verdikt", "pass"}}}}), "$.expect.verdikt: unknown field in the expect section; did you mean 'verdict'?");
  CHECK_ERROR(full_with_element("/faults/0/restart_after", "1s"),
              "$.faults[0].restart_after: unknown field in a task-manager-crash fault; did you mean 'restart-after'?");
  CHECK_ERROR(full_with_element("/faults/1/duration", "1s"),
              "$.faults[1].duration: unknown field in a job-manager-crash fault; expected one of 'type', 'at', 'restart-after'");
}

TEST_CASE("scenario loader: an unknown configuration key suggests the closest one", "[unit][scenario]") {
  CHECK(parse_error(full_with({{"config", {{"execution.checkpointing.intervall", "1s"}}}})) ==
        "$.config['execution.checkpointing.intervall']: unknown configuration key "
        "'execution.checkpointing.intervall'; did you mean 'execution.checkpointing.interval'?");
  CHECK_ERROR(full_with({{"config", {{"completely.different", 1}}}}),
              "$.config['completely.different']: unknown configuration key 'completely.different'; "
              "docs/scenario-format.md lists");
  // Keys the coordinator does not model are unknown, not silently ignored.
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.unaligned.enabled", true}}}}),
              "$.config['execution.checkpointing.unaligned.enabled']: unknown configuration key");
}

TEST_CASE("scenario loader: a bad choice lists the accepted values", "[unit][scenario]") {
  CHECK(parse_error(full_with_element("/job/edges/0/partitioning", "hashed")) ==
        "$.job.edges[0].partitioning: expected one of 'forward', 'hash', 'rebalance', 'broadcast', got \"hashed\"");
  CHECK_ERROR(full_with_element("/job/operators/1/kind", "aggregate"),
              "$.job.operators[1].kind: expected one of 'source', 'map', 'filter', 'keyed-aggregate', "
              "'sequence-checker', 'sink', got \"aggregate\"");
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.mode", "EXACTLY_TWICE"}}}}),
              "$.config['execution.checkpointing.mode']: expected one of 'EXACTLY_ONCE', 'AT_LEAST_ONCE', got \"EXACTLY_TWICE\"");
  CHECK_ERROR(full_with({{"config", {{"restart-strategy.type", "fixed"}}}}),
              "$.config['restart-strategy.type']: expected one of 'none', 'fixed-delay', 'exponential-delay', 'failure-rate'");
  CHECK_ERROR(full_with({{"input", {{"key-distribution", "normal"}}}}),
              "$.input.key-distribution: expected one of 'uniform', 'zipf', got \"normal\"");
  CHECK_ERROR(full_with({{"expect", {{"verdict", "ok"}}}}), "$.expect.verdict: expected one of 'pass', 'fail', got \"ok\"");
  CHECK_ERROR(full_with_element("/faults/0/type", "tm-crash"),
              "$.faults[0].type: unknown fault type \"tm-crash\"; expected one of 'task-manager-crash'");
  CHECK_ERROR(full_with_element("/faults/0/type", "task-manager-crsh"),
              "$.faults[0].type: unknown fault type \"task-manager-crsh\"; did you mean 'task-manager-crash'?");
}

TEST_CASE("scenario loader: a bad duration carries the duration parser's reason", "[unit][scenario]") {
  CHECK(parse_error(full_with({{"run", {{"max-duration", "10 parsecs"}}}})) ==
        "$.run.max-duration: unknown time unit 'parsecs' in duration '10 parsecs'; expected one of d, h, min, s, ms, us, ns");
  CHECK_ERROR(full_with({{"run", {{"liveness-bound", "-5s"}}}}), "$.run.liveness-bound: expected a duration starting with a non-negative integer");
  CHECK_ERROR(full_with({{"run", {{"liveness-bound", true}}}}), "$.run.liveness-bound: expected a duration (a string such as");
  CHECK_ERROR(full_with({{"run", {{"max-duration", "0ms"}}}}), "$.run.max-duration: expected a duration in [1ms, 1d], got \"0ms\"");
  CHECK_ERROR(full_with_element("/job/operators/0/cost-per-record", "2s"),
              "$.job.operators[0].cost-per-record: expected a duration in [0ms, 1s], got \"2s\"");
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.timeout", "soon"}}}}),
              "$.config['execution.checkpointing.timeout']: expected a duration starting with a non-negative integer");
  CHECK_ERROR(full_with_element("/faults/1/restart-after", false),
              "$.faults[1].restart-after: expected a duration such as \"2s\", or \"never\", got false");
}

TEST_CASE("scenario loader: numbers out of range and zero where not allowed", "[unit][scenario]") {
  CHECK_ERROR(full_with_element("/job/operators/0/parallelism", 0), "$.job.operators[0].parallelism: expected an integer in [1, 32768], got 0");
  CHECK_ERROR(full_with_element("/job/operators/0/parallelism", 40000), "$.job.operators[0].parallelism: expected an integer in [1, 32768], got 40000");
  CHECK_ERROR(full_with_element("/job/operators/0/parallelism", 200), "$.job.operators[0].parallelism: expected at most max-parallelism (128), got 200");
  CHECK_ERROR(full_with({{"input", {{"partitions", 0}}}}), "$.input.partitions: expected an integer in [1, 65536], got 0");
  CHECK_ERROR(full_with({{"input", {{"zipf-exponent", 0}}}}), "$.input.zipf-exponent: expected a number in (0.0, 10.0], got 0");
  CHECK_ERROR(full_with({{"cluster", {{"task-managers", 0}}}}), "$.cluster.task-managers: expected an integer in [1, 1024], got 0");
  CHECK_ERROR(full_with({{"expect", {{"restarts", -1}}}}), "$.expect.restarts: expected an integer in [0, 1000000000], got -1");
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.max-concurrent-checkpoints", 0}}}}),
              "$.config['execution.checkpointing.max-concurrent-checkpoints']: expected an integer in [1, 1000], got 0");
  CHECK_ERROR(full_with({{"config", {{"taskmanager.numberOfTaskSlots", "many"}}}}),
              "$.config['taskmanager.numberOfTaskSlots']: expected an integer in [1, 1024], got \"many\"");
  CHECK_ERROR(full_with({{"config", {{"taskmanager.memory.segment-size", "1kb"}}}}),
              "$.config['taskmanager.memory.segment-size']: expected a memory size in [4kb, 64mb]");
  CHECK_ERROR(full_with({{"config", {{"taskmanager.memory.segment-size", 5000}}}}),
              "$.config['taskmanager.memory.segment-size']: expected a power of two, got 5000b");
  CHECK_ERROR(full_with({{"config", {{"taskmanager.memory.segment-size", "32 parsecs"}}}}),
              "$.config['taskmanager.memory.segment-size']: unknown memory unit 'parsecs'");
  CHECK_ERROR(full_with({{"config", {{"restart-strategy.exponential-delay.backoff-multiplier", 0.5}}}}),
              "$.config['restart-strategy.exponential-delay.backoff-multiplier']: expected a number in [1.0, 1000.0], got 0.5");
}

TEST_CASE("scenario loader: edges must name declared operators", "[unit][scenario]") {
  CHECK(parse_error(full_with_element("/job/edges/0/to", "cont")) ==
        "$.job.edges[0].to: unknown operator \"cont\"; did you mean 'count'?");
  CHECK_ERROR(full_with_element("/job/edges/2/from", "triple"),
              "$.job.edges[2].from: unknown operator \"triple\"; expected one of 'source', 'count', 'double'");
}

TEST_CASE("scenario loader: a graph the job graph builder rejects is reported at $.job", "[unit][scenario]") {
  // The keyed aggregate's input must be hash-partitioned.
  const std::string keyed = parse_error(full_with_element("/job/edges/0/partitioning", "rebalance"));
  CHECK(starts_with(keyed, "$.job: operator 'count' (keyed aggregate) is keyed but its input"));
  const std::string duplicate = parse_error(full_with_element("/job/operators/-", {{"name", "count"}, {"kind", "map"}}));
  CHECK(starts_with(duplicate, "$.job: duplicate operator name 'count'"));
  CHECK_ERROR(minimal_with({{"job", {{"edges", Json::array()}}}}), "$.job: operator 'sink' (sink) has no inputs");
}

TEST_CASE("scenario loader: faults must name existing processes and fit in the run", "[unit][scenario]") {
  CHECK(parse_error(full_with_element("/faults/0/target", "tm-5")) ==
        "$.faults[0].target: expected a task manager, one of tm-0 .. tm-1 (cluster.task-managers is 2), got \"tm-5\"");
  CHECK_ERROR(full_with_element("/faults/0/target", "jm"), "$.faults[0].target: expected a task manager");
  CHECK_ERROR(full_with_element("/faults/0/target", "tm-01"), "$.faults[0].target: expected a task manager");
  CHECK_ERROR(full_with_element("/faults/2/peer", "tm-2"), "$.faults[2].peer: expected a process: 'jm', 'sink-store' or a task manager");
  CHECK_ERROR(full_with_element("/faults/2/peer", "tm-1"), "$.faults[2].peer: expected a process other than the target, got \"tm-1\"");
  CHECK(parse_error(full_with_element("/faults/1/at", "3min")) ==
        "$.faults[1].at: expected a time before run.max-duration (2min), got \"3min\"");
  CHECK_ERROR(full_with_element("/faults/2/duration", "115s"),
              "$.faults[2].duration: the fault would last until 121s, beyond run.max-duration (2min)");
  CHECK_ERROR(full_with_element("/faults/3/duration", "0ms"), "$.faults[3].duration: expected a duration in [1ns, 2min], got \"0ms\"");
  CHECK_ERROR(full_with({{"faults", Json::array({Json::array({"type", "job-manager-crash"})})}}), "$.faults[0]: expected an object, got an array");
  CHECK_ERROR(full_with({{"faults", Json::array({Json::object({{"at", "1s"}})})}}), "$.faults[0].type: missing required field");
}

TEST_CASE("scenario loader: the coordinator's validate() is applied to the config", "[unit][scenario]") {
  CHECK(parse_error(full_with({{"config", {{"execution.checkpointing.interval", "5ms"}}}})) ==
        "$.config['execution.checkpointing.interval']: must be 0 (disabled) or at least 10ms, got 5ms");
  CHECK_ERROR(full_with({{"config", {{"execution.checkpointing.timeout", "1ms"}}}}),
              "$.config['execution.checkpointing.timeout']: must be at least 10ms");
  CHECK_ERROR(full_with({{"config", {{"heartbeat.timeout", "100ms"}}}}),
              "$.config['heartbeat.timeout']: expected at least heartbeat.interval (500ms), got \"100ms\"");
  CHECK_ERROR(full_with({{"config", {{"restart-strategy.exponential-delay.max-backoff", "100ms"}}}}),
              "$.config['restart-strategy.exponential-delay.max-backoff']: expected at least "
              "restart-strategy.exponential-delay.initial-backoff (200ms)");
  CHECK_ERROR(full_with({{"config", {{"ckptsim.checkpointing.job-id", "a/b"}}}}),
              "$.config['ckptsim.checkpointing.job-id']: expected a name without '/'");
}

TEST_CASE("scenario loader: expectations may not ask for exact and minimum restarts", "[unit][scenario]") {
  CHECK_ERROR(full_with({{"expect", {{"min-restarts", 1}}}}), "$.expect.min-restarts: cannot be combined with 'restarts'");
  const Scenario s = parse_ok(full_with({{"expect", {{"restarts", nullptr}, {"min-restarts", 1}, {"verdict", "fail"}}}}));
  CHECK(s.expect.min_restarts == std::optional<std::uint64_t>(1));
  CHECK(s.expect.verdict_pass == std::optional<bool>(false));
}

TEST_CASE("scenario loader: config values may be written as Flink strings", "[unit][scenario]") {
  const Scenario s = parse_ok(full_with({{"config",
                                          {{"execution.checkpointing.max-concurrent-checkpoints", "3"},
                                           {"execution.checkpointing.interval", 250},
                                           {"execution.checkpointing.incremental", "FALSE"},
                                           {"restart-strategy.exponential-delay.backoff-multiplier", "2.5"},
                                           {"taskmanager.memory.segment-size", 65536},
                                           {"sink.delivery-guarantee", "Exactly-Once"}}}}));
  CHECK(s.job.checkpointing.max_concurrent_checkpoints == 3);
  CHECK(s.job.checkpointing.interval_ns == 250 * kMillisecond);
  CHECK(s.extra_config.at("execution.checkpointing.incremental") == "false");
  CHECK(s.job.restart.exponential_backoff_multiplier == 2.5);
  CHECK(s.job.network.buffer_size_bytes == 65536);
  CHECK(s.job.sink_guarantee == SinkGuarantee::kExactlyOnce);
}

TEST_CASE("scenario loader: files are read, and a missing file is not found", "[unit][scenario]") {
  const std::string path = "scenario_loader_test_tmp.json";
  {
    std::ofstream file(path);
    file << kFullScenario;
  }
  const Result<Scenario> loaded = load_scenario_file(path);
  std::remove(path.c_str());
  REQUIRE(loaded.is_ok());
  CHECK(loaded.value().name == "tm-crash-then-jm-crash");
  const Result<Scenario> missing = load_scenario_file("no/such/scenario.json");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEST_CASE("scenario loader: deeply nested JSON is an error, not a stack overflow", "[unit][scenario]") {
  CHECK_ERROR(std::string(100'000, '['), "$: invalid JSON at line 1, column 100001");
  const std::string deep = std::string(50'000, '[') + std::string(50'000, ']');
  CHECK_ERROR(deep, "$: expected an object, got an array");
  CHECK_ERROR(R"({"name": )" + deep + "}", "$.name: expected a string, got an array");
}

// The complete example of docs/scenario-format.md is the last ```json block there.
TEST_CASE("scenario format documentation: the complete example loads", "[unit][scenario]") {
  // Tests run in the repository root (tests/CMakeLists.txt); __FILE__ may be relative.
  std::ifstream file("docs/scenario-format.md");
  REQUIRE(file.good());
  const std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t start = doc.rfind("```json\n");
  REQUIRE(start != std::string::npos);
  const std::size_t end = doc.find("```", start + 8);
  REQUIRE(end != std::string::npos);
  const Scenario s = parse_ok(doc.substr(start + 8, end - start - 8));
  CHECK(s.faults.size() == 3);
  CHECK(s.job.checkpointing_enabled);
}

// The library of scenarios next to the loader must stay loadable as the format evolves.
TEST_CASE("scenario library: every scenarios/*.json loads and round-trips", "[unit][scenario]") {
  const std::string root = "scenarios";  // tests run in the repository root
  REQUIRE(std::filesystem::is_directory(root));
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    const Result<Scenario> loaded = load_scenario_file(entry.path().string());
    if (!loaded.is_ok()) FAIL_CHECK(loaded.status().message());
    if (!loaded.is_ok()) continue;
    const Json canonical = scenario_to_json(loaded.value());
    CHECK(scenario_to_json(parse_ok(canonical.dump())) == canonical);
  }
}

TEST_CASE("scenario tables: config keys are unique and their documented defaults are the real ones", "[unit][scenario]") {
  const Json defaults = scenario_to_json(Scenario{})["config"];
  std::set<std::string_view> seen;
  for (const ConfigKeyInfo& info : config_keys()) {
    INFO(info.key);
    CHECK(seen.insert(info.key).second);
    CHECK(find_config_key(info.key) == &info);
    CHECK_FALSE(info.description.empty());
    REQUIRE(info.set != nullptr);
    REQUIRE(info.get != nullptr);
    if (info.extra) continue;
    const Json& value = defaults[std::string(info.key)];
    CHECK((value.is_string() ? value.get<std::string>() : value.dump()) == info.default_text);
  }
}

TEST_CASE("scenario tables: every fault type has a description and well-formed fields", "[unit][scenario]") {
  std::set<std::string_view> seen;
  for (const FaultTypeInfo& type : fault_types()) {
    INFO(type.type);
    CHECK(seen.insert(type.type).second);
    CHECK(find_fault_type(type.type) == &type);
    CHECK_FALSE(type.description.empty());
    REQUIRE_FALSE(type.fields.empty());
    CHECK(type.fields[0].name == "at");
    for (const FaultFieldRule& rule : type.fields) {
      const bool duration_slot = rule.slot == FaultSlot::kAt || rule.slot == FaultSlot::kDuration ||
                                 rule.slot == FaultSlot::kRestartAfter;
      // A duration >= 0 fits the duration slot of a fault with an instant form
      // (checkpoint-file-bit-flip: without a duration the flipped bit stays).
      const bool duration_kind = rule.kind == FaultValueKind::kTime || rule.kind == FaultValueKind::kPositiveDuration ||
                                 rule.kind == FaultValueKind::kRestartDelay ||
                                 (rule.slot == FaultSlot::kDuration && rule.kind == FaultValueKind::kNonNegativeDuration);
      CHECK((rule.slot == FaultSlot::kParam || duration_slot == duration_kind));
      CHECK((rule.required ? rule.default_value.empty() : true));
    }
  }
  CHECK(find_fault_type("no-such-fault") == nullptr);
}

TEST_CASE("scenario json paths: fields, elements and typo suggestions", "[unit][scenario]") {
  CHECK(json_path_field("$", "job") == "$.job");
  CHECK(json_path_field("$.config", "a.b") == "$.config['a.b']");
  CHECK(json_path_field("$", "it's") == "$['it\\'s']");
  CHECK(json_path_field("$", "") == "$['']");
  CHECK(json_path_element("$.faults", 3) == "$.faults[3]");
  const std::vector<std::string_view> names = {"parallelism", "partitioning", "name"};
  CHECK(closest_name("paralelism", names) == "parallelism");
  CHECK(closest_name("Parallelism", names) == "parallelism");
  CHECK(closest_name("zzz", names).empty());
  CHECK(closest_name("parallelism", names).empty());  // not a typo: already a name
  CHECK(parse_task_manager_process("tm-12") == std::optional<std::uint32_t>(12));
  CHECK_FALSE(parse_task_manager_process("tm-").has_value());
  CHECK_FALSE(parse_task_manager_process("tm-+1").has_value());
  CHECK_FALSE(parse_task_manager_process("tm-99999999999").has_value());
  CHECK(format_memory_size(32 * 1024) == "32kb");
  CHECK(format_memory_size(4097) == "4097b");
  CHECK(parse_memory_size("1 MB").value() == 1024 * 1024);
  CHECK(parse_memory_size("4096").value() == 4096);
  CHECK_FALSE(parse_memory_size("99999999999999999999").is_ok());
  CHECK_FALSE(parse_memory_size("17179869184tb").is_ok());
}

// Properties: mutations of a valid scenario never crash the loader.

// Pointers to every value in the document except the root.
void collect_pointers(const Json& value, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      out.push_back(at / key);
      collect_pointers(child, at / key, out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      out.push_back(at / i);
      collect_pointers(value[i], at / i, out);
    }
  }
}

rc::Gen<Json> random_scalar() {
  return rc::gen::oneOf(
      rc::gen::just(Json()), rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return Json(b); }),
      rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t i) { return Json(i); }),
      rc::gen::map(rc::gen::arbitrary<std::uint64_t>(), [](std::uint64_t u) { return Json(u); }),
      rc::gen::map(rc::gen::arbitrary<double>(), [](double d) { return Json(d); }),
      rc::gen::map(rc::gen::element<std::string>("", "tm-0", "tm-9", "jm", "1s", "0ms", "-1s", "never", "hash",
                                                 "source", "sink", "100mb", "EXACTLY_ONCE", "x"),
                   [](std::string s) { return Json(s); }),
      rc::gen::map(rc::gen::string<std::string>(), [](std::string s) { return Json(s); }));
}

// A random JSON value whose type differs from `original`'s.
Json random_value_of_another_type(const Json& original) {
  for (;;) {
    Json candidate = *rc::gen::oneOf(random_scalar(), rc::gen::just(Json::array()), rc::gen::just(Json::object()),
                                     rc::gen::map(rc::gen::container<std::vector<Json>>(random_scalar()),
                                                  [](std::vector<Json> v) { return Json(v); }));
    if (candidate.type() != original.type()) return candidate;
  }
}

// Either a valid scenario whose canonical form round-trips, or an error starting with "$".
void check_loader_outcome(const std::string& text) {
  const Result<Scenario> result = parse_scenario(text);
  RC_CLASSIFY(result.is_ok(), "accepted");
  if (!result.is_ok()) {
    RC_ASSERT(result.status().code() == StatusCode::kInvalidArgument);
    RC_ASSERT(starts_with(result.status().message(), "$"));
    return;
  }
  const Json canonical = scenario_to_json(result.value());
  const Result<Scenario> again = parse_scenario(canonical.dump());
  RC_ASSERT(again.is_ok());
  RC_ASSERT(scenario_to_json(again.value()) == canonical);
}

std::string dump_lenient(const Json& document) { return document.dump(-1, ' ', false, Json::error_handler_t::replace); }

TEST_CASE("scenario loader: deleting any field never crashes the loader", "[property][scenario]") {
  rc::prop("delete a random field", [] {
    Json document = Json::parse(kFullScenario);
    std::vector<Json::json_pointer> pointers;
    collect_pointers(document, Json::json_pointer(), pointers);
    const auto& target = *rc::gen::elementOf(pointers);
    Json& parent = document[target.parent_pointer()];
    if (parent.is_object()) {
      parent.erase(target.back());
    } else {
      parent.erase(static_cast<std::size_t>(std::stoul(target.back())));
    }
    check_loader_outcome(document.dump());
  });
}

TEST_CASE("scenario loader: replacing any value with another type never crashes the loader", "[property][scenario]") {
  rc::prop("replace a random value", [] {
    Json document = Json::parse(*rc::gen::element<std::string>(kFullScenario, kMinimalScenario));
    std::vector<Json::json_pointer> pointers;
    collect_pointers(document, Json::json_pointer(), pointers);
    const auto count = *rc::gen::inRange(1, 4);
    for (int i = 0; i < count; ++i) {
      const auto& target = *rc::gen::elementOf(pointers);
      if (!document.contains(target)) continue;
      document[target] = random_value_of_another_type(document[target]);
    }
    check_loader_outcome(dump_lenient(document));
  });
}

TEST_CASE("scenario loader: truncating the text anywhere never crashes the loader", "[property][scenario]") {
  rc::prop("truncate at a random position", [] {
    const std::string text = *rc::gen::element<std::string>(kFullScenario, kMinimalScenario);
    const auto length = *rc::gen::inRange<std::size_t>(0, text.size());
    const Result<Scenario> result = parse_scenario(text.substr(0, length));
    RC_ASSERT_FALSE(result.is_ok());
    RC_ASSERT(starts_with(result.status().message(), "$: invalid JSON at line "));
  });
}

TEST_CASE("scenario loader: random bytes and random documents never crash the loader", "[property][scenario]") {
  rc::prop("random text", [] {
    const std::string text = *rc::gen::string<std::string>();
    const Result<Scenario> result = parse_scenario(text);
    RC_ASSERT_FALSE(result.is_ok());
    RC_ASSERT(starts_with(result.status().message(), "$"));
  });
  rc::prop("a scenario with a random section", [] {
    Json document = Json::parse(kFullScenario);
    const auto section = *rc::gen::element<std::string>("job", "input", "config", "cluster", "faults", "run", "expect");
    document[section] = *rc::gen::oneOf(random_scalar(), rc::gen::map(rc::gen::container<std::map<std::string, Json>>(
                                                                          rc::gen::string<std::string>(), random_scalar()),
                                                                      [](std::map<std::string, Json> m) { return Json(m); }));
    check_loader_outcome(dump_lenient(document));
  });
}

}  // namespace
}  // namespace ckptsim::scenarios
