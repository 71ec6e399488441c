// Shrinking a failing trace: a smaller scenario that still violates the same property.
//
// Contract of shrink():
//   - First re-runs the trace; when it no longer violates the trace's property the
//     result says so (reproduced == false) and holds the input trace unchanged.
//   - Then greedily applies simplifications (shrink_candidates.h), in this order, to a
//     fixed point: drop faults (one at a time, then halves), reduce records per
//     partition, partitions, operator parallelism (forward-connected operators
//     together), task managers, move faults earlier and shorten them, and shorten the
//     run. A candidate is kept only when it passes the loader's round trip
//     (scenario_to_json -> scenario_from_json) and its run, with the trace's seed,
//     still violates the trace's property.
//   - Bounded: at most `runs_max` simulations in all (the initial re-run included).
//   - The returned trace is that of the smallest failing scenario found, recorded from
//     its own run (its violation's event index is its own). It replays: replay() of it
//     gives kReproduced.
//   - Deterministic for a given trace, options and build.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/trace.h"

namespace ckptsim::scenarios {

// The sizes shrinking reduces, for before/after reports.
struct ScenarioSize {
  std::uint64_t faults = 0;
  std::uint64_t records = 0;              // partitions * records-per-partition
  std::uint32_t partitions = 0;
  std::uint64_t parallelism = 0;          // summed over operators
  std::uint32_t task_managers = 0;
  DurationNs max_duration_ns = 0;
  std::uint64_t events = 0;               // events the run logged
};
ScenarioSize size_of(const Scenario& scenario, std::uint64_t events);
// "3 faults, 100000 records (4 partitions), parallelism 6, 2 TMs, run 2min, 75664 events"
std::string describe_size(const ScenarioSize& size);

struct ShrinkOptions {
  RunOptions run;                       // tamper (tests); seed and event log are set by shrink()
  std::uint32_t runs_max = 200;         // simulations in all, the first re-run included
  std::uint64_t trace_events_max = 0;   // events kept in the shrunk trace (0: none)
  std::function<void(const std::string& step)> on_step;  // told of each accepted step
};

struct ShrinkResult {
  bool reproduced = false;          // the input trace still failed with its property
  Trace trace;                      // the smallest failing trace (the input when nothing shrank)
  ScenarioSize before;
  ScenarioSize after;
  std::uint32_t runs = 0;           // simulations run
  std::vector<std::string> steps;   // accepted simplifications, in order
};

ShrinkResult shrink(const Trace& trace, const ShrinkOptions& options);

}  // namespace ckptsim::scenarios
