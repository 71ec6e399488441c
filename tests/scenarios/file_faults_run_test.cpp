// The real-file fault kinds inside simulated runs: each one reaches a real file
// operation of the run (the layers' counters), the verdict holds, runs with file
// faults stay deterministic, and a scenario without the files a kind needs is refused
// at the fault's JSON path.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "faults/swarm.h"
#include "scenarios/runner.h"
#include "tests/scenarios/run_test_support.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

constexpr const char* kScenario = "scenarios/wordcount-file-storage-faults.json";

Scenario library_scenario() {
  Result<Scenario> scenario = load_scenario_file(kScenario);
  REQUIRE(scenario.is_ok());
  return scenario.value();
}

// The library scenario with only its faults of `type` (and its TaskManager crash, so
// that state is restored from the checkpoint files).
Scenario only(const std::string& type) {
  Scenario scenario = library_scenario();
  std::vector<FaultSpec> kept;
  for (const FaultSpec& fault : scenario.faults) {
    if (fault.type == type || fault.type == "task-manager-crash") kept.push_back(fault);
  }
  scenario.faults = kept;
  return scenario;
}


}  // namespace

TEST_CASE("file fault runs: every real-file kind hits a real file operation and the verdict holds",
          "[unit][scenario-run]") {
  struct Case {
    std::string type;
    std::uint64_t FileFaultCounts::*counter;
  };
  const std::vector<Case> cases = {
      {"checkpoint-file-write-failure", &FileFaultCounts::file_injected_failures},
      {"checkpoint-file-sync-failure", &FileFaultCounts::file_injected_failures},
      {"checkpoint-file-torn-write", &FileFaultCounts::file_torn_appends},
      {"checkpoint-file-bit-flip", &FileFaultCounts::file_bit_flips},
      {"checkpoint-storage-power-loss", &FileFaultCounts::file_power_losses},
      // A failed flush fails its task, which the failover redeploys (finding 14).
      {"rocksdb-write-failure", &FileFaultCounts::rocksdb_failed_flushes},
      {"rocksdb-sync-failure", &FileFaultCounts::rocksdb_failed_flushes},
  };
  for (const Case& c : cases) {
    INFO(c.type);
    const Scenario scenario = only(c.type);
    REQUIRE(scenario.faults.size() == 2);
    const RunOutcome outcome = run_scenario(scenario, RunOptions{});
    INFO(ckptsim::testing::summary_text(outcome.summary));
    CHECK(outcome.summary.passed());
    CHECK(outcome.summary.job_finished);
    CHECK(outcome.file_faults.*c.counter >= 1);
    CHECK(outcome.file_faults.mirror_lost_acknowledged == 0);
  }
}

TEST_CASE("file fault runs: the failures reach the protocol through the files", "[unit][scenario-run]") {
  const RunOutcome write = run_scenario(only("checkpoint-file-write-failure"), RunOptions{});
  CHECK(write.file_faults.mirror_failed_writes >= 1);   // a put failed because its file did
  const RunOutcome torn = run_scenario(only("checkpoint-file-torn-write"), RunOptions{});
  CHECK(torn.file_faults.mirror_failed_writes >= 1);    // verified before publishing: never acknowledged
}

TEST_CASE("file fault runs: the library scenario passes and is deterministic", "[unit][scenario-run]") {
  const Scenario scenario = library_scenario();
  const RunOutcome first = run_scenario(scenario, RunOptions{});
  const RunOutcome second = run_scenario(scenario, RunOptions{});
  INFO(ckptsim::testing::summary_text(first.summary));
  CHECK(first.summary.passed());
  CHECK(first.summary.fingerprint == second.summary.fingerprint);
  CHECK(first.summary.committed_output_digest == second.summary.committed_output_digest);
  CHECK(first.file_faults.file_injected_failures == second.file_faults.file_injected_failures);
  CHECK(first.file_faults.file_torn_appends == second.file_faults.file_torn_appends);
  CHECK(first.file_faults.file_injected_failures >= 1);
  CHECK(first.file_faults.mirror_lost_acknowledged == 0);
}

TEST_CASE("file fault runs: a scenario without files cannot name a file fault", "[unit][scenario]") {
  const std::string without_dir = R"({
    "name": "x",
    "job": {"operators": [{"name": "s", "kind": "source", "parallelism": 1}, {"name": "k", "kind": "sink", "parallelism": 1}],
            "edges": [{"from": "s", "to": "k", "partitioning": "forward"}]},
    "faults": [{"type": "checkpoint-file-bit-flip", "at": "1s"}]
  })";
  const Result<Scenario> refused = parse_scenario(without_dir);
  REQUIRE_FALSE(refused.is_ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("faults[0].type"));
  CHECK_THAT(refused.status().message(), Catch::Contains("execution.checkpointing.dir"));

  const std::string without_rocksdb = R"({
    "name": "x",
    "job": {"operators": [{"name": "s", "kind": "source", "parallelism": 1}, {"name": "k", "kind": "sink", "parallelism": 1}],
            "edges": [{"from": "s", "to": "k", "partitioning": "forward"}]},
    "config": {"execution.checkpointing.dir": "/tmp/x"},
    "faults": [{"type": "rocksdb-write-failure", "at": "1s", "duration": "1s"}]
  })";
  const Result<Scenario> refused_rocksdb = parse_scenario(without_rocksdb);
  REQUIRE_FALSE(refused_rocksdb.is_ok());
  CHECK_THAT(refused_rocksdb.status().message(), Catch::Contains("faults[0].type"));
  CHECK_THAT(refused_rocksdb.status().message(), Catch::Contains("rocksdb"));
}

TEST_CASE("file fault runs: the swarm draws file kinds only for runs with files", "[unit][scenario]") {
  faults::SwarmInputs plain;
  faults::SwarmInputs files = plain;
  files.has_checkpoint_files = true;
  files.has_rocksdb = true;
  bool drew_file_kind = false;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    for (const faults::ScheduledFault& fault : faults::generate_swarm_faults(plain, seed)) {
      CHECK(fault.type.find("checkpoint-") != 0);
      CHECK(fault.type.find("rocksdb-") != 0);
    }
    const faults::SwarmPlan with = faults::generate_swarm(files, faults::SwarmOptions{}, seed);
    for (const faults::ScheduledFault& fault : with.faults) {
      drew_file_kind = drew_file_kind || fault.type.find("checkpoint-") == 0 || fault.type.find("rocksdb-") == 0;
    }
  }
  CHECK(drew_file_kind);
}
