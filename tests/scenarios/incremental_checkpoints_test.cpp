// Incremental RocksDB checkpoints inside simulated jobs (state.backend.type: rocksdb,
// execution.checkpointing.incremental: true, a checkpoint directory): the flagship and a
// TaskManager-crash scenario pass every checker, commit exactly the hashmap run's
// output, are deterministic run to run, upload far less than full snapshots once the
// state has grown, and leave the checkpoint directory holding exactly the files the
// retained checkpoints refer to.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/checkpoint/checkpoint_coordinator.h"
#include "protocol/runtime/job_manager.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "sim/cluster/run_state_backends.h"
#include "sim/cluster/sim_cluster.h"
#include "sim/simulation.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

Scenario incremental(Scenario scenario) {
  scenario.extra_config["state.backend.type"] = "rocksdb";
  scenario.extra_config["execution.checkpointing.incremental"] = "true";
  scenario.extra_config["execution.checkpointing.dir"] = "checkpoints";
  return scenario;
}

Scenario load(const std::string& path) {
  Result<Scenario> scenario = load_scenario_file(path);
  CKPT_ASSERT(scenario.is_ok(), "a library scenario loads");
  return scenario.value();
}

// What the checkpoint directory should hold and what it holds, after the run.
struct DirectoryCheck {
  bool inspected = false;
  std::set<std::string> expected;  // retained checkpoints' metadata, private and shared blobs
  std::set<std::string> found;     // checkpoint files (not the id counter or the epoch)
  std::size_t shared_found = 0;
  std::size_t retained = 0;
};

RunInspector directory_inspector(DirectoryCheck& check) {
  return [&check](sim::Simulation& simulation, sim::SimCluster& cluster, const sim::RunStateBackends& backends) {
    // Let removals issued at the end (subsumption, the final sweep) complete.
    const TimeNs until_ns = simulation.now_ns() + 2 * kSecond;
    while (simulation.now_ns() < until_ns && simulation.step()) {
    }
    const JobManager* job_manager = cluster.job_manager();
    REQUIRE(job_manager != nullptr);
    const std::string job = cluster.job().checkpointing.job_id;
    for (const CompletedCheckpoint& checkpoint : job_manager->coordinator().retained_checkpoints()) {
      ++check.retained;
      check.expected.insert(CompletedCheckpointStore::metadata_name(job, checkpoint.id));
      for (const std::string& blob : state_blob_names(checkpoint)) check.expected.insert(blob);
      for (const std::string& blob : shared_blob_names(checkpoint)) check.expected.insert(blob);
    }
    const std::filesystem::path root = backends.run_dir() + "/checkpoints";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = std::filesystem::relative(entry.path(), root).generic_string();
      if (name.starts_with(job + "/chk-") || name.starts_with(job + "/shared/")) check.found.insert(name);
      if (name.starts_with(job + "/shared/")) ++check.shared_found;
    }
    check.inspected = true;
  };
}

std::map<CheckpointId, std::uint64_t> completed_sizes(const RunOutcome& outcome) {
  std::map<CheckpointId, std::uint64_t> sizes;
  for (const reports::CheckpointRecord& c : outcome.summary.checkpoints) {
    if (c.status == "COMPLETED") sizes[c.id] = c.state_size_bytes;
  }
  return sizes;
}

void check_incremental_run(const std::string& path) {
  INFO("scenario " << path);
  const Scenario base = load(path);
  const RunOutcome hashmap = run_scenario(base, RunOptions{});
  REQUIRE(hashmap.summary.passed());

  DirectoryCheck directory;
  RunOptions options;
  options.inspect = directory_inspector(directory);
  const RunOutcome first = run_scenario(incremental(base), options);
  INFO("restarts " << first.summary.restarts);
  CHECK(first.summary.passed());
  CHECK(first.summary.job_finished);
  CHECK(first.summary.restarts >= 1);  // state was restored from incremental handles
  CHECK(first.summary.committed_output_digest == hashmap.summary.committed_output_digest);

  // Deterministic: the same scenario and seed give the same event log.
  const RunOutcome second = run_scenario(incremental(base), RunOptions{});
  CHECK(second.summary.fingerprint == first.summary.fingerprint);
  CHECK(second.summary.events == first.summary.events);
  CHECK(second.summary.committed_output_digest == first.summary.committed_output_digest);

  // No leak, nothing missing.
  REQUIRE(directory.inspected);
  CHECK(directory.retained >= 1);
  CHECK(directory.shared_found >= 1);
  CHECK(directory.found == directory.expected);
}

}  // namespace

TEST_CASE("incremental checkpoints: the flagship commits the hashmap output and leaves exactly the retained files",
          "[unit][scenario-run][incremental]") {
  check_incremental_run("scenarios/wordcount-tm-crash.json");
}

TEST_CASE("incremental checkpoints: a TaskManager crash restores from incremental handles and leaks nothing",
          "[unit][scenario-run][incremental]") {
  check_incremental_run("scenarios/checkpoints-after-failover.json");
}

TEST_CASE("incremental checkpoints: once the state has grown, checkpoints upload far less than full snapshots",
          "[unit][scenario-run][incremental]") {
  // The flagship's job with a key space large enough that most of the state stays
  // unchanged between two checkpoints.
  Scenario base = load("scenarios/wordcount-tm-crash.json");
  base.input.key_count = 100'000;
  base.faults.clear();
  base.expect = Expectations{};
  const RunOutcome full = run_scenario(base, RunOptions{});
  const RunOutcome inc = run_scenario(incremental(base), RunOptions{});
  REQUIRE(full.summary.passed());
  REQUIRE(inc.summary.passed());
  CHECK(inc.summary.committed_output_digest == full.summary.committed_output_digest);
  const std::map<CheckpointId, std::uint64_t> full_sizes = completed_sizes(full);
  const std::map<CheckpointId, std::uint64_t> inc_sizes = completed_sizes(inc);
  // The later half of the checkpoints both runs completed.
  std::vector<CheckpointId> common;
  for (const auto& [id, size] : inc_sizes) {
    if (full_sizes.contains(id)) common.push_back(id);
  }
  REQUIRE(common.size() >= 10);
  // Medians: every kCompactAfterSstFiles checkpoints a compaction re-uploads the state
  // as one new file (as background compaction does in Flink), visible in the mean only.
  std::vector<std::uint64_t> full_later;
  std::vector<std::uint64_t> inc_later;
  for (std::size_t i = common.size() / 2; i < common.size(); ++i) {
    full_later.push_back(full_sizes.at(common[i]));
    inc_later.push_back(inc_sizes.at(common[i]));
  }
  std::sort(full_later.begin(), full_later.end());
  std::sort(inc_later.begin(), inc_later.end());
  const std::uint64_t full_median = full_later[full_later.size() / 2];
  const std::uint64_t inc_median = inc_later[inc_later.size() / 2];
  INFO("later checkpoints, median bytes: incremental " << inc_median << ", full " << full_median);
  CHECK(inc_median * 4 < full_median);
}

TEST_CASE("incremental checkpoints: uploads of tasks cancelled at a failover are not leaked",
          "[unit][scenario-run][incremental]") {
  // Slow storage (every operation takes 800 ms) and a TaskManager crash at several points
  // of a short job: the tasks on the surviving TaskManager are cancelled with uploads in
  // flight, some of which land after the job finished and swept its orphans.
  for (const TimeNs crash_at_ns : {1700 * kMillisecond, 2000 * kMillisecond, 2300 * kMillisecond,
                                   2600 * kMillisecond, 3000 * kMillisecond}) {
    INFO("crash at " << crash_at_ns << " ns");
    Scenario scenario = incremental(load("scenarios/checkpoints-after-failover.json"));
    scenario.input.records_per_partition = 2000;
    scenario.storage.latency_ns = 800 * kMillisecond;
    scenario.faults.at(0).at_ns = crash_at_ns;
    scenario.expect = {};
    DirectoryCheck directory;
    RunOptions options;
    options.inspect = directory_inspector(directory);
    const RunOutcome run = run_scenario(scenario, options);
    INFO("restarts " << run.summary.restarts << ", checkpoints completed " << run.summary.checkpoints_completed);
    CHECK(run.summary.passed());
    CHECK(run.summary.restarts >= 1);
    REQUIRE(directory.inspected);
    CHECK(directory.found == directory.expected);
  }
}
