// The state backend and checkpoint storage are invisible to the simulation: the
// flagship scenario (a TaskManager crash, so state is restored from a checkpoint)
// gives the same event-log fingerprint and the same committed output with the
// in-memory backend and full RocksDB snapshots, with or without filesystem checkpoint
// storage; parallel runs use separate directories and leave nothing behind.
// Incremental RocksDB checkpoints upload different blobs (only new SST files), so their
// event log differs; they commit the same output and are deterministic run to run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/scenario_config.h"
#include "scenarios/scenario_loader.h"
#include "protocol/io/posix_file_system.h"
#include "sim/cluster/file_mirrored_blob_store.h"
#include "sim/cluster/run_state_backends.h"
#include "sim/simulation.h"
#include "sim/storage/sim_blob_store.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

struct BackendCombination {
  std::string label;
  std::map<std::string, std::string> config;
};

std::vector<BackendCombination> combinations() {
  return {
      {"hashmap", {}},
      {"hashmap + filesystem storage", {{"state.backend.type", "hashmap"}, {"execution.checkpointing.dir", "ckpt"}}},
      {"rocksdb", {{"state.backend.type", "rocksdb"}}},
      {"rocksdb + filesystem storage", {{"state.backend.type", "rocksdb"}, {"execution.checkpointing.dir", "ckpt"}}},
      // incremental is ignored by hashmap: full snapshots, the same fingerprint.
      {"hashmap + incremental setting", {{"execution.checkpointing.incremental", "true"}}},
  };
}

std::vector<BackendCombination> incremental_combinations() {
  return {
      {"rocksdb incremental", {{"state.backend.type", "rocksdb"}, {"execution.checkpointing.incremental", "true"}}},
      {"rocksdb incremental + filesystem storage",
       {{"state.backend.type", "rocksdb"},
        {"execution.checkpointing.dir", "ckpt"},
        {"execution.checkpointing.incremental", "true"}}},
  };
}

Scenario with_config(const Scenario& base, const BackendCombination& combination) {
  Scenario scenario = base;
  for (const auto& [key, value] : combination.config) scenario.extra_config[key] = value;
  return scenario;
}

}  // namespace

TEST_CASE("backend equivalence: every backend gives the flagship's fingerprint and output", "[unit][scenario-run]") {
  Result<Scenario> base = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(base.is_ok());
  const RunOutcome reference = run_scenario(base.value(), RunOptions{});
  REQUIRE(reference.summary.passed());
  REQUIRE(reference.summary.restarts >= 1);  // state was restored from a checkpoint
  for (const BackendCombination& combination : combinations()) {
    INFO("backend " << combination.label);
    const Scenario scenario = with_config(base.value(), combination);
    const std::uint64_t rocksdb_before = sim::RunStateBackends::process_rocksdb_backends_created();
    const RunOutcome outcome = run_scenario(scenario, RunOptions{});
    CHECK(outcome.summary.passed());
    CHECK(outcome.summary.fingerprint == reference.summary.fingerprint);
    CHECK(outcome.summary.events == reference.summary.events);
    CHECK(outcome.summary.committed_output_digest == reference.summary.committed_output_digest);
    const bool uses_rocksdb = state_backend_choice(scenario).kind == sim::StateBackendKind::kRocksDb;
    // Redeployment after the crash creates backends again: more than one per stateful subtask.
    if (uses_rocksdb) CHECK(sim::RunStateBackends::process_rocksdb_backends_created() > rocksdb_before);
  }
}

TEST_CASE("backend equivalence: incremental rocksdb commits the hashmap output and is deterministic",
          "[unit][scenario-run]") {
  Result<Scenario> base = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(base.is_ok());
  const RunOutcome reference = run_scenario(base.value(), RunOptions{});
  REQUIRE(reference.summary.passed());
  std::vector<std::uint64_t> fingerprints;
  for (const BackendCombination& combination : incremental_combinations()) {
    INFO("backend " << combination.label);
    const Scenario scenario = with_config(base.value(), combination);
    const RunOutcome first = run_scenario(scenario, RunOptions{});
    const RunOutcome second = run_scenario(scenario, RunOptions{});
    CHECK(first.summary.passed());
    CHECK(first.summary.restarts >= 1);
    CHECK(first.summary.committed_output_digest == reference.summary.committed_output_digest);
    CHECK(second.summary.fingerprint == first.summary.fingerprint);
    CHECK(second.summary.events == first.summary.events);
    CHECK(second.summary.committed_output_digest == first.summary.committed_output_digest);
    fingerprints.push_back(first.summary.fingerprint);
  }
  // Real files or not, the simulated storage decides the events.
  CHECK(fingerprints[0] == fingerprints[1]);
}

TEST_CASE("backend equivalence: the state backend keys select the backend", "[unit][scenario]") {
  Scenario scenario;
  CHECK(state_backend_choice(scenario).kind == sim::StateBackendKind::kHashMap);
  CHECK_FALSE(state_backend_choice(scenario).file_checkpoints);
  scenario.extra_config["state.backend.type"] = "memory";
  CHECK(state_backend_choice(scenario).kind == sim::StateBackendKind::kHashMap);
  scenario.extra_config["state.backend.type"] = "rocksdb";
  scenario.extra_config["execution.checkpointing.dir"] = "file:///tmp/x";
  scenario.extra_config["execution.checkpointing.incremental"] = "true";
  const sim::StateBackendChoice choice = state_backend_choice(scenario);
  CHECK(choice.kind == sim::StateBackendKind::kRocksDb);
  CHECK(choice.file_checkpoints);
  CHECK(choice.incremental);
}

TEST_CASE("backend equivalence: a run directory is private and removed afterwards", "[unit][scenario]") {
  std::string first_dir;
  std::string second_dir;
  {
    sim::RunStateBackends first(sim::StateBackendChoice{sim::StateBackendKind::kRocksDb, false, true});
    sim::RunStateBackends second(sim::StateBackendChoice{sim::StateBackendKind::kRocksDb, false, true});
    first_dir = first.run_dir();
    second_dir = second.run_dir();
    CHECK(first_dir != second_dir);
    CHECK(std::filesystem::is_directory(first_dir + "/rocksdb"));
  }
  CHECK_FALSE(std::filesystem::exists(first_dir));
  CHECK_FALSE(std::filesystem::exists(second_dir));
  sim::RunStateBackends in_memory(sim::StateBackendChoice{});
  CHECK(in_memory.run_dir().empty());
}

TEST_CASE("backend equivalence: parallel rocksdb runs with file storage agree", "[unit][scenario-run]") {
  Result<Scenario> base = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(base.is_ok());
  const Scenario scenario = with_config(base.value(), combinations()[3]);
  std::vector<RunOutcome> outcomes(2);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = run_scenario(scenario, RunOptions{base.value().seed + 7, false, ""}); });
  }
  for (std::thread& t : threads) t.join();
  CHECK(outcomes[0].summary.passed());
  CHECK(outcomes[0].summary.fingerprint == outcomes[1].summary.fingerprint);
  CHECK(outcomes[0].summary.committed_output_digest == outcomes[1].summary.committed_output_digest);
  const RunOutcome in_memory = run_scenario(base.value(), RunOptions{base.value().seed + 7, false, ""});
  CHECK(in_memory.summary.fingerprint == outcomes[0].summary.fingerprint);
}

TEST_CASE("backend equivalence: checkpoint blobs become real files and are read back from them", "[unit][scenario]") {
  sim::SimulationOptions options;
  options.seed = 5;
  sim::Simulation simulation(options);
  const ProcessId tm = simulation.add_process("tm-0");
  sim::SimBlobStorage simulated(simulation);
  sim::RunStateBackends run(sim::StateBackendChoice{sim::StateBackendKind::kHashMap, false, true});
  PosixFileSystem posix;
  FileCheckpointStorage files(posix, run.run_dir() + "/checkpoints");
  sim::FileMirrorCounters counters;
  sim::FileMirroredBlobStore store(simulated.view_for(tm), files, counters);

  const std::string name = "job/chk-1/agg-0";
  const Bytes payload = {1, 2, 3, 4, 5};
  std::optional<Status> put_status;
  store.put(name, payload, [&](Status s) { put_status = std::move(s); });
  CHECK_FALSE(files.read(name).is_ok());  // nothing is visible before the put completes
  simulation.run_until_idle();
  REQUIRE(put_status.has_value());
  REQUIRE(put_status->is_ok());
  REQUIRE(files.read(name).is_ok());
  CHECK(files.read(name).value() == payload);
  CHECK(counters.files_written == 1);

  std::optional<Result<Bytes>> got;
  store.get(name, [&](Result<Bytes> r) { got = std::move(r); });
  simulation.run_until_idle();
  REQUIRE(got.has_value());
  REQUIRE(got->is_ok());
  CHECK(got->value() == payload);

  // Damage to the real file is reported even though the simulated copy is intact.
  REQUIRE(files.write(name, Bytes{9, 9}).is_ok());
  got.reset();
  store.get(name, [&](Result<Bytes> r) { got = std::move(r); });
  simulation.run_until_idle();
  REQUIRE(got.has_value());
  CHECK(got->status().code() == StatusCode::kCorruption);

  std::optional<Status> removed;
  store.remove(name, [&](Status s) { removed = std::move(s); });
  simulation.run_until_idle();
  REQUIRE(removed.has_value());
  CHECK(removed->is_ok());
  CHECK(files.read(name).status().code() == StatusCode::kNotFound);
}
