// Swarm test (label `swarm`): seeds of the fault-catalogue swarm (faults/swarm.h, through
// explore's default randomizer) over the scenario library. Every seed must keep every
// property, every fault kind must be exercised, and every coverage mark
// (protocol/env/coverage.h) must be reached within the seed budget.
//
// The budget comes from CKPTSIM_SWARM_SEEDS (default 50; `make test` and CI set 200),
// with at least kCoverageSeedsMin seeds per scenario whatever the budget: the marks are
// rare paths, and a run is deterministic per seed, so a fixed range either reaches a
// mark or never does. The flagship's input is a tenth of its
// usual size so that the budget stays within a minute or two on 2 cores.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "faults/swarm.h"
#include "protocol/env/coverage.h"
#include "scenarios/explore.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

constexpr std::uint64_t kCoverageSeedsMin = 300;

std::uint64_t swarm_seeds() {
  const char* text = std::getenv("CKPTSIM_SWARM_SEEDS");
  if (text == nullptr || *text == '\0') return 50;
  const std::uint64_t seeds = std::strtoull(text, nullptr, 10);
  return seeds == 0 ? 50 : std::min<std::uint64_t>(seeds, 100'000);
}

const std::vector<std::string> kLibrary = {
    "scenarios/wordcount-tm-crash.json",
    "scenarios/diamond-two-input-alignment.json",
    "scenarios/jm-crash-pending-checkpoint.json",
    "scenarios/sink-crash-between-precommit-and-commit.json",
    "scenarios/many-short-checkpoints.json",
    "scenarios/at-least-once-partition.json",
    "scenarios/end-of-input-during-alignment.json",
    "scenarios/restart-strategy-exhausted.json",
    "scenarios/checkpoints-after-failover.json",
    "scenarios/reordered-triggers.json",
    "scenarios/wordcount-file-storage-faults.json",
};

// The real-file kinds need a run with real files; the flagship has none.
bool is_file_kind(std::string_view kind) { return kind.starts_with("checkpoint-") || kind.starts_with("rocksdb-"); }

ExploreOptions options_for(const std::string& path, std::uint64_t seeds) {
  Result<Scenario> scenario = load_scenario_file(path);
  CKPT_ASSERT(scenario.is_ok(), "a library scenario loads");
  ExploreOptions options;
  options.base = scenario.value();
  if (options.base.name == "wordcount-tm-crash") options.base.input.records_per_partition /= 10;
  options.scenario_path = path;
  options.seeds = {1, seeds};
  options.jobs = 2;
  options.shrink.runs_max = 60;
  options.shrink_failures_max = 3;
  return options;
}

}  // namespace

// One pass over the library (each scenario explored once, so no seed runs twice):
// every seed keeps every property; the flagship (no real files) exercises every kind but
// the real-file ones, wordcount-file-storage-faults (checkpoint files and RocksDB)
// every kind; every coverage mark is reached by some scenario.
TEST_CASE("swarm: every scenario of the library passes, the fault catalogue is exercised and every coverage mark "
          "is reached",
          "[swarm][explore]") {
  const std::uint64_t seeds = std::max(kCoverageSeedsMin, swarm_seeds());
  std::map<std::string, std::set<std::string>> reached_by;  // mark -> scenarios
  for (const std::string& path : kLibrary) {
    const ExploreOptions options = options_for(path, seeds);
    Result<ExploreResult> result = explore(options);
    REQUIRE(result.is_ok());
    std::ostringstream summary;
    print_explore_summary(options, result.value(), summary);
    INFO(path << "\n" << summary.str());
    CHECK(result.value().seeds_run == seeds);
    CHECK(result.value().passed());
    for (const auto& [mark, count] : result.value().coverage_marks) {
      if (count > 0) reached_by[mark].insert(options.base.name);
    }
    // Each kind is on in half of the seeds: 300 seeds miss one with probability 2^-300.
    const bool flagship = options.base.name == "wordcount-tm-crash";
    const bool with_files = options.base.name == "wordcount-file-storage-faults";
    if (!flagship && !with_files) continue;
    for (const std::string_view kind : faults::swarm_fault_kinds()) {
      INFO("fault kind " << kind);
      const bool expected = with_files || !is_file_kind(kind);
      CHECK(result.value().fault_kinds.contains(std::string(kind)) == expected);
    }
  }
  for (const std::string_view mark : coverage::kCoverageMarks) {
    INFO("coverage mark '" << mark << "' within " << seeds << " seeds of each library scenario");
    CHECK(reached_by.contains(std::string(mark)));
  }
}
