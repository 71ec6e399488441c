// Exploring a scenario over many seeds: for each seed, derive a randomized concrete
// scenario from the base (a ScenarioRandomizer), run it, judge it, and for every
// failing seed write a trace that replays it and a shrunk trace.
//
// Contract of explore():
//   - Runs every seed s of options.seeds with s % shard.count == shard.index, on
//     options.jobs threads. Each simulation is single-threaded and owns all its objects
//     (run_scenario() shares nothing mutable between calls), so the result of a seed is
//     the same whatever the number of threads; only the order of lines in seeds.jsonl
//     and, when more than shrink_failures_max seeds fail, which ones are shrunk depend
//     on timing.
//   - A seed passes when the oracle reports no violation (the base's expectations are
//     the randomizer's business; the default one clears them).
//   - time_budget_ns > 0 stops starting new seeds once that much wall-clock time has
//     passed; running seeds finish. Seeds not started are counted as skipped.
//   - With an out_dir: DIR/seeds.jsonl gets one JSON line per seed; each failing seed
//     writes DIR/traces/seed-<N>.json (re-run with its event log, which also checks
//     that the run is deterministic) and, when shrunk, DIR/traces/seed-<N>.min.json;
//     DIR/summary.json gets the summary. Without one nothing is written.
//   - progress is called from the calling thread about every progress_interval_ms and
//     once at the end; never concurrently.
//   - Bounded: at most kFailuresKeptMax failures are kept in the result (all are
//     counted); traces in the result carry no events (the files do).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/explore_randomize.h"
#include "scenarios/runner.h"
#include "scenarios/shrink.h"
#include "scenarios/trace.h"

namespace ckptsim::scenarios {

inline constexpr std::size_t kFailuresKeptMax = 1000;

// Seeds first..last, both inclusive.
struct SeedRange {
  std::uint64_t first = 1;
  std::uint64_t last = 1;
};
// "A..B" (A <= B) or a single seed "N"; an error message otherwise.
Result<SeedRange> parse_seed_range(std::string_view text);

// This process runs the seeds s with s % count == index.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};
// "I/N" with N >= 1 and I < N.
Result<Shard> parse_shard(std::string_view text);

// The seeds of `range` in `shard`, in increasing order: first, first + count, ...
struct ShardSeeds {
  std::uint64_t first = 0;
  std::uint64_t step = 1;
  std::uint64_t size = 0;
  std::uint64_t at(std::uint64_t i) const { return first + i * step; }
};
ShardSeeds shard_seeds(const SeedRange& range, const Shard& shard);

struct ExploreProgress {
  std::uint64_t seeds_total = 0;     // seeds in this shard
  std::uint64_t seeds_done = 0;
  std::uint64_t failures = 0;
  double elapsed_s = 0.0;
  bool finished = false;
};

struct ExploreOptions {
  Scenario base;
  std::string scenario_path;                   // for messages and reproduction commands
  SeedRange seeds;
  Shard shard;
  std::uint32_t jobs = 1;                      // worker threads, >= 1
  std::string out_dir;                         // empty: write nothing
  DurationNs time_budget_ns = 0;               // wall clock; 0: no budget
  ScenarioRandomizer randomizer = swarm_randomizer();  // the fault catalogue and knobs
  RunOptions run;                              // tamper (tests); seed and event log are set per seed
  bool shrink_failures = true;
  std::uint32_t shrink_failures_max = 20;      // failing seeds shrunk at most (the first found)
  ShrinkOptions shrink;                        // its `run` is replaced by `run` above
  std::uint64_t trace_events_max = 200'000;    // events kept in trace files (0: none)
  std::uint32_t progress_interval_ms = 1000;
  std::function<void(const ExploreProgress&)> progress;
};

// One failing seed.
struct SeedFailure {
  std::uint64_t seed = 0;
  std::string property;                 // the first violated property
  Trace trace;                          // without events
  std::string trace_path;               // empty when nothing was written
  bool nondeterministic = false;        // the re-run with the event log gave another fingerprint
  std::optional<ShrinkResult> shrunk;   // its trace carries no events
  std::string shrunk_path;
};

struct ExploreResult {
  std::uint64_t seeds_total = 0;        // seeds in this shard
  std::uint64_t seeds_run = 0;
  std::uint64_t seeds_skipped = 0;      // not started because the time budget ran out
  std::uint64_t failures_total = 0;
  std::vector<SeedFailure> failures;    // sorted by seed; at most kFailuresKeptMax
  std::map<std::string, std::uint64_t> failure_counts;                     // failing seeds by first property
  std::map<std::string, std::vector<std::uint64_t>> failures_by_property;  // their seeds, sorted; the first 100 found
  std::map<std::string, std::uint64_t> fault_kinds;            // faults run, by type
  std::map<std::string, std::uint64_t> coverage_marks;         // seeds that reached each mark
  std::uint64_t events_total = 0;
  double wall_s = 0.0;
  bool passed() const { return failures_total == 0; }
};

// Runs the exploration. Bad options (jobs == 0, an out_dir that cannot be created) are a
// kInvalidArgument / kIoError Status.
Result<ExploreResult> explore(const ExploreOptions& options);

// The human summary: seeds, rate, failures by property with their trace files, fault
// kinds exercised, coverage marks hit out of the catalogue, and how to replay.
void print_explore_summary(const ExploreOptions& options, const ExploreResult& result, std::ostream& out);
nlohmann::json explore_summary_json(const ExploreOptions& options, const ExploreResult& result);

}  // namespace ckptsim::scenarios
