#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "tests/scenarios/run_test_support.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

std::vector<std::string> library_scenarios() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator("scenarios")) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}


}  // namespace

TEST_CASE("scenario library: every scenario passes every checker and meets its expectations", "[unit][scenario-run]") {
  const std::vector<std::string> paths = library_scenarios();
  REQUIRE(paths.size() >= 5);
  for (const std::string& path : paths) {
    INFO("scenario " << path);
    Result<Scenario> scenario = load_scenario_file(path);
    REQUIRE(scenario.is_ok());
    const RunOutcome outcome = run_scenario(scenario.value(), RunOptions{std::nullopt, false, path});
    INFO(ckptsim::testing::summary_text(outcome.summary));
    CHECK(outcome.summary.passed());
    if (scenario.value().name == "restart-strategy-exhausted") {
      CHECK(outcome.summary.job_failed);  // its point: the strategy gives up
    } else {
      CHECK(outcome.summary.job_finished);
    }
    CHECK(outcome.summary.records_out >= 1);
  }
}

TEST_CASE("scenario runs: the same scenario and seed give the same fingerprint and output digest", "[unit][scenario-run]") {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  const RunOutcome first = run_scenario(scenario.value(), RunOptions{});
  const RunOutcome second = run_scenario(scenario.value(), RunOptions{});
  CHECK(first.summary.fingerprint == second.summary.fingerprint);
  CHECK(first.summary.events == second.summary.events);
  CHECK(first.summary.committed_output_digest == second.summary.committed_output_digest);
  const RunOutcome other_seed = run_scenario(scenario.value(), RunOptions{scenario.value().seed + 1, false, ""});
  CHECK(other_seed.summary.fingerprint != first.summary.fingerprint);
}

TEST_CASE("scenario runs: a correct run's output digest does not depend on when faults strike", "[unit][scenario-run]") {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  Scenario calm = scenario.value();
  calm.faults.clear();
  calm.expect = {};
  const RunOutcome faulty = run_scenario(scenario.value(), RunOptions{});
  const RunOutcome quiet = run_scenario(calm, RunOptions{});
  REQUIRE(faulty.summary.passed());
  REQUIRE(quiet.summary.passed());
  CHECK(faulty.summary.fingerprint != quiet.summary.fingerprint);
  CHECK(faulty.summary.committed_output_digest == quiet.summary.committed_output_digest);
}

// Random small pipelines, workloads, checkpoint configurations, seeds, TaskManager and
// JobManager crash times:
// every checker holds.
TEST_CASE("scenario runs: random jobs with random crashes keep exactly-once", "[property][scenario-run]") {
  rc::prop("all checkers hold", [](std::uint64_t seed) {
    Scenario s;
    s.name = "random";
    s.seed = seed;
    const auto source_p = *rc::gen::inRange<std::uint32_t>(1, 4);
    const auto middle_p = *rc::gen::inRange<std::uint32_t>(1, 4);
    const auto sink_p = *rc::gen::inRange<std::uint32_t>(1, 4);
    const bool keyed = *rc::gen::arbitrary<bool>();
    const auto middle_kind = keyed ? OperatorKind::kKeyedAggregate
                                   : *rc::gen::element(OperatorKind::kMap, OperatorKind::kFilter);
    s.job.operators = {{"source", OperatorKind::kSource, source_p, 0},
                       {"middle", middle_kind, middle_p, 0},
                       {"sink", OperatorKind::kSink, sink_p, 0}};
    const Partitioning into_middle =
        keyed ? Partitioning::kHashByKey : *rc::gen::element(Partitioning::kRebalance, Partitioning::kHashByKey);
    const Partitioning into_sink = middle_p == sink_p
                                       ? *rc::gen::element(Partitioning::kForward, Partitioning::kRebalance, Partitioning::kHashByKey)
                                       : *rc::gen::element(Partitioning::kRebalance, Partitioning::kHashByKey);
    s.job.edges = {{"source", "middle", into_middle, false}, {"middle", "sink", into_sink, false}};
    s.job.params["middle"].filter_modulus = middle_kind == OperatorKind::kFilter ? 4 : 0;
    s.job.checkpointing.interval_ns = *rc::gen::inRange<std::int64_t>(10, 300) * kMillisecond;
    s.job.checkpointing.max_concurrent_checkpoints = *rc::gen::inRange(1, 4);
    s.job.checkpointing.tolerable_failed_checkpoints = 1000;
    s.job.restart.fixed_delay_ns = 50 * kMillisecond;
    s.job.cluster.task_managers = *rc::gen::inRange<std::uint32_t>(1, 4);
    s.job.cluster.slots_per_task_manager = 16;
    s.input.partitions = *rc::gen::inRange<std::uint32_t>(1, 5);
    s.input.records_per_partition = *rc::gen::inRange<std::uint64_t>(100, 3000);
    s.input.records_per_second = 5'000;
    s.input.key_count = *rc::gen::inRange<std::uint64_t>(1, 200);
    // Faults strike while the input is still flowing.
    const std::int64_t input_ms = static_cast<std::int64_t>(s.input.records_per_partition * 1000 / s.input.records_per_second) + 20;
    const auto crashes = *rc::gen::inRange(0, 3);
    for (int i = 0; i < crashes; ++i) {
      FaultSpec f;
      f.type = "task-manager-crash";
      f.target = "tm-" + std::to_string(*rc::gen::inRange<std::uint32_t>(0, s.job.cluster.task_managers));
      f.at_ns = *rc::gen::inRange<std::int64_t>(1, input_ms) * kMillisecond + 17;
      f.restart_after_ns = *rc::gen::inRange<std::int64_t>(1, 300) * kMillisecond;
      s.faults.push_back(f);
    }
    if (*rc::gen::inRange(0, 3) == 0) {
      FaultSpec f;
      f.type = "job-manager-crash";
      f.at_ns = *rc::gen::inRange<std::int64_t>(1, input_ms) * kMillisecond + 29;
      f.restart_after_ns = *rc::gen::inRange<std::int64_t>(1, 300) * kMillisecond;
      s.faults.push_back(f);
    }
    s.run.max_duration_ns = 2 * kMinute;
    s.run.liveness_bound_ns = 60 * kSecond;
    const RunOutcome outcome = run_scenario(s, RunOptions{});
    RC_LOG() << ckptsim::testing::summary_text(outcome.summary);
    RC_TAG(outcome.summary.restarts > 0 ? "restarted" : "no restart");
    RC_ASSERT(outcome.summary.verdict_passed());
    RC_ASSERT(outcome.summary.job_finished);
  });
}
