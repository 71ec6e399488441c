// Runs one scenario with one seed: builds the simulated cluster, schedules the faults,
// runs until the job finishes (plus a short drain) or the run's max duration passes,
// then has the oracle judge the observations and checks the scenario's expectations.
//
// Deterministic: the result (fingerprint, verdict, statistics) depends only on the
// scenario and the seed. Single-threaded; runs may execute in parallel threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reports/run_summary.h"
#include "scenarios/scenario.h"
#include "sim/event_log.h"

namespace ckptsim::scenarios {

struct RunOptions {
  std::optional<std::uint64_t> seed;      // overrides the scenario's seed
  bool keep_event_log = false;             // keep every event record (for traces and --events)
  std::string scenario_path;               // for the reproduction command
  bool judge = true;                       // false: simulate and record only (benchmarks)
};

struct RunOutcome {
  reports::RunSummary summary;
  std::vector<sim::EventRecord> event_records;    // when keep_event_log
  std::vector<std::string> event_kind_names;      // names of record kinds, by kind value
  std::vector<sim::HashCheckpoint> hash_checkpoints;
};

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace ckptsim::scenarios
