// Regression tests for the protocol problems the swarm found (docs/fault-catalogue.md,
// "Findings"): each runs the flagship with the shrunk fault plan or the setting that
// exposed the problem, and requires every checker to pass.
#include <catch2/catch.hpp>

#include <string>

#include "faults/swarm.h"
#include "protocol/env/coverage.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_faults.h"
#include "scenarios/scenario_loader.h"
#include "tests/scenarios/run_test_support.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

// A library scenario with its faults replaced by `faults_json`, `config` entries merged
// and `overrides` merged in as a JSON merge patch (RFC 7386), e.g. a shrunk input.
Scenario scenario_with(const std::string& path, const std::string& faults_json,
                       const nlohmann::json& config = nlohmann::json::object(),
                       const nlohmann::json& overrides = nlohmann::json::object()) {
  Result<Scenario> base = load_scenario_file(path);
  CKPT_ASSERT(base.is_ok(), "the library scenario loads");
  nlohmann::json json = scenario_to_json(base.value());
  json["faults"] = nlohmann::json::parse(faults_json);
  json.erase("expect");
  for (const auto& [key, value] : config.items()) json["config"][key] = value;
  json.merge_patch(overrides);
  Result<Scenario> scenario = parse_scenario(json.dump());
  CKPT_ASSERT(scenario.is_ok(), "the regression scenario is valid");
  return scenario.value();
}

Scenario flagship_with(const std::string& faults_json, const nlohmann::json& config = nlohmann::json::object()) {
  return scenario_with("scenarios/wordcount-tm-crash.json", faults_json, config);
}

// Runs with the run seed of the swarm seed that found the problem; returns the outcome
// for further checks.
RunOutcome require_pass(const Scenario& scenario, std::uint64_t seed) {
  RunOptions options;
  options.seed = seed;
  RunOutcome outcome = run_scenario(scenario, options);
  INFO(ckptsim::testing::summary_text(outcome.summary));
  CHECK(outcome.summary.violations.empty());
  CHECK(outcome.summary.job_finished);
  return outcome;
}

}  // namespace

TEST_CASE("swarm finding 4: a corrupt metadata read while the job manager recovers does not lose exactly-once",
          "[unit][scenario-run][findings]") {
  require_pass(flagship_with(R"([
    {"type": "job-manager-crash", "at": "379600us", "restart-after": "80400us"},
    {"type": "storage-corrupt-read", "at": "463800us", "duration": "61800us", "probability": 0.95}
  ])"), 166);
}

TEST_CASE("swarm finding 5: a task failure lost in a split is reported again and the job finishes",
          "[unit][scenario-run][findings]") {
  require_pass(flagship_with(R"([
    {"type": "storage-write-failure", "at": "282600us", "duration": "100700us", "probability": 0.6, "error": "io-error"},
    {"type": "connection-cut", "at": "1261600us", "target": "tm-0", "peer": "tm-1"},
    {"type": "network-split", "at": "1635300us", "duration": "87300us", "group": "tm-0,tm-1"},
    {"type": "connection-cut", "at": "1664300us", "target": "tm-0", "peer": "tm-1"}
  ])"), 389);
}

TEST_CASE("swarm finding 2: a buffer timeout of 0 flushes every step and the job finishes",
          "[unit][scenario-run][findings]") {
  require_pass(flagship_with(R"([{"type": "task-manager-crash", "at": "1200ms", "target": "tm-0", "restart-after": "500ms"}])",
                             {{"execution.buffer-timeout.interval", "0ms"}}), 42);
}

TEST_CASE("swarm finding 3: the final checkpoint obeys min-pause", "[unit][scenario-run][findings]") {
  require_pass(flagship_with(R"([{"type": "task-manager-crash", "at": "1200ms", "target": "tm-0", "restart-after": "500ms"}])",
                             {{"execution.checkpointing.min-pause", "90ms"}, {"execution.checkpointing.interval", "100ms"}}), 42);
}

TEST_CASE("swarm finding 1: concurrent checkpoints with a lost pre-commit keep exactly-once",
          "[unit][scenario-run][findings]") {
  // Swarm seed 1 as found: the flagship's cluster, a 2 s fault phase, faults and knobs.
  Scenario scenario = flagship_with("[]");
  faults::SwarmInputs inputs;
  inputs.task_managers = scenario.job.cluster.task_managers;
  faults::SwarmOptions options;
  options.fault_phase_end_ns = 2 * kSecond;
  const faults::SwarmPlan plan = faults::generate_swarm(inputs, options, 1);
  for (const faults::ScheduledFault& fault : plan.faults) scenario.faults.push_back(from_scheduled_fault(fault));
  faults::SwarmKnobs knobs = plan.knobs;
  REQUIRE(knobs.max_concurrent_checkpoints >= 2);
  knobs.min_pause_ns = 0;  // knobs drawn since then; the finding had neither
  if (knobs.buffer_timeout_ns == 0) knobs.buffer_timeout_ns = kMillisecond;
  faults::apply_knobs(knobs, scenario.job);
  require_pass(scenario, 1);
}

TEST_CASE("swarm finding 6: a corrupt read of the job epoch makes the restarted job manager retry, not start at 0",
          "[unit][scenario-run][findings]") {
  // Seed 1338 of many-short-checkpoints, shrunk: the restarted job manager read its epoch
  // through a corrupt read, took it for absent, and deployed epochs the task managers
  // ignored as stale until three deployment timeouts later (liveness.finish).
  require_pass(scenario_with("scenarios/many-short-checkpoints.json", R"([
    {"type": "connection-cut", "at": "28970293ns", "target": "tm-1", "peer": "tm-0"},
    {"type": "storage-write-failure", "at": "71604121ns", "duration": "11473689ns", "probability": 0.9, "error": "timeout"},
    {"type": "connection-cut", "at": "150206331ns", "target": "tm-0", "peer": "tm-2"},
    {"type": "job-manager-crash", "at": "191846409ns", "restart-after": "159140453ns"},
    {"type": "storage-corrupt-read", "at": "352630453ns", "duration": "4082215ns", "probability": 0.8}
  ])", {{"execution.buffer-timeout.interval", "108376750ns"}, {"execution.checkpointing.interval", "390991083ns"},
        {"execution.checkpointing.max-concurrent-checkpoints", 1}, {"execution.checkpointing.timeout", "6203957295ns"},
        {"heartbeat.interval", "510081470ns"}, {"heartbeat.timeout", "1530244410ns"},
        {"taskmanager.network.memory.buffers-per-channel", 6}}), 1338);
}

TEST_CASE("swarm finding 7: a restart delay equal to the heartbeat interval does not fail over forever",
          "[unit][scenario-run][findings]") {
  // Seed 1407 of sink-crash-between-precommit-and-commit, shrunk: while a new epoch was
  // being set up, the previous epoch's placement was still checked; a task manager that
  // had restarted failed the new epoch over before it was deployed, every heartbeat.
  require_pass(scenario_with("scenarios/sink-crash-between-precommit-and-commit.json", R"([
    {"type": "link-clog", "at": "800ms", "duration": "500ms", "target": "jm", "peer": "tm-1"},
    {"type": "task-manager-crash", "at": "1100ms", "target": "tm-1", "restart-after": "1562500ns"}
  ])", {{"execution.buffer-timeout.interval", "1920385ns"}, {"execution.checkpointing.interval", "485249085ns"},
        {"execution.checkpointing.max-concurrent-checkpoints", 3}, {"execution.checkpointing.timeout", "7264147665ns"},
        {"heartbeat.interval", "100037530ns"}, {"heartbeat.timeout", "200075060ns"},
        {"taskmanager.network.memory.buffers-per-channel", 8}}), 1407);
}

TEST_CASE("swarm finding 8: epochs that failed to persist are never sent to task managers",
          "[unit][scenario-run][findings]") {
  // Seed 860 of sink-crash-between-precommit-and-commit, shrunk: while storage writes
  // failed, every failover advanced the epoch and cancelled it on the task managers
  // without storing it; the next job manager restarted from the last stored epoch, and
  // the task managers ignored its deployments as stale for three deployment timeouts.
  require_pass(scenario_with("scenarios/sink-crash-between-precommit-and-commit.json", R"([
    {"type": "job-manager-crash", "at": "111178370ns", "restart-after": "214181282ns"},
    {"type": "storage-write-failure", "at": "300630007ns", "duration": "700433019ns", "probability": 1, "error": "io-error"},
    {"type": "job-manager-crash", "at": "979604203ns", "restart-after": "1595526ns"}
  ])", {{"execution.buffer-timeout.interval", "17480043ns"}, {"execution.checkpointing.interval", "372738123ns"},
        {"execution.checkpointing.max-concurrent-checkpoints", 4}, {"execution.checkpointing.timeout", "9830569699ns"},
        {"heartbeat.interval", "557011297ns"}, {"heartbeat.timeout", "1671033891ns"},
        {"taskmanager.network.memory.buffers-per-channel", 6}}), 860);
}

TEST_CASE("swarm finding 9: a checkpoint triggered before end of input that finished sources decline does not "
          "keep the sink from finishing",
          "[unit][scenario-run][findings]") {
  // Seed 1099 of reordered-triggers, shrunk: a trigger delayed past the final checkpoint
  // reached one source before its end of input and the others after it. The others
  // declined it, so the sink kept that checkpoint's (empty) pre-committed transaction,
  // waited for a commit no later checkpoint could bring (finished sources decline every
  // trigger), and the job never finished.
  require_pass(scenario_with("scenarios/reordered-triggers.json", R"([
    {"type": "rpc-delay", "at": "1250us", "duration": "43750us", "messages": "trigger", "delay": "0ms", "jitter": "150ms"}
  ])", {{"execution.buffer-timeout.interval", "85061993ns"}, {"execution.checkpointing.interval", "13618694ns"},
        {"execution.checkpointing.max-concurrent-checkpoints", 3}, {"execution.checkpointing.min-pause", "12134472ns"},
        {"execution.checkpointing.timeout", "7919628874ns"}, {"heartbeat.interval", "217517552ns"},
        {"heartbeat.timeout", "1087587760ns"}, {"taskmanager.network.memory.buffers-per-channel", 4}},
                             {{"cluster", {{"task-managers", 2}}}, {"input", {{"partitions", 1}, {"records-per-partition", 1}}}}),
               1099);
}

TEST_CASE("finding 10: a lost notify-complete of the final checkpoint does not keep the sink from finishing",
          "[unit][scenario-run][findings]") {
  // Found while fixing finding 9, not by the swarm (its faults heal before the end): every
  // notify-complete is lost until after the final checkpoint; the sink kept the final
  // checkpoint's transaction (with records) and no later checkpoint could complete.
  // Abort notifications now carry the latest completed checkpoint (as Flink's do).
  require_pass(scenario_with("scenarios/reordered-triggers.json", R"([
    {"type": "rpc-loss", "at": "1ms", "duration": "300ms", "messages": "notify-complete", "probability": 1}
  ])", nlohmann::json::object(), {{"input", {{"partitions", 1}, {"records-per-partition", 1000}}}}), 17);
}

TEST_CASE("finding 14: a RocksDB backend whose flush failed fails its task, which is redeployed, and the job finishes",
          "[unit][scenario-run][findings]") {
  // Seed 21 of wordcount-file-storage-faults with only a RocksDB write failure: the failed
  // flush left the backend with a sticky error, its task declined every later checkpoint
  // (TASK_CHECKPOINT_FAILURE, which the failure manager does not count, as in Flink) and
  // nothing redeployed it: the sink never committed again and the job never finished.
  // A snapshot that fails in the synchronous phase now fails the task.
  const RunOutcome outcome = require_pass(scenario_with("scenarios/wordcount-file-storage-faults.json", R"([
    {"type": "rocksdb-write-failure", "at": "300ms", "duration": "200ms", "probability": 1}
  ])"), 21);
  CHECK(outcome.summary.restarts >= 1);  // the broken backend's task was failed over
  CHECK(outcome.summary.coverage_marks.at(std::string(coverage::kSnapshotFailedTaskFailed)) >= 1);
}
