// Runs one scenario with one seed: builds the simulated cluster, schedules the faults,
// runs until the job finishes (plus a short drain) or the run's max duration passes,
// then has the oracle judge the observations and checks the scenario's expectations.
//
// Deterministic: the result (fingerprint, verdict, statistics) depends only on the
// scenario and the seed. Single-threaded; runs may execute in parallel threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reports/run_summary.h"
#include "reports/timeline.h"
#include "scenarios/scenario.h"
#include "sim/event_log.h"

namespace ckptsim::sim {
class Simulation;
class SimCluster;
class RunStateBackends;
}  // namespace ckptsim::sim

namespace ckptsim::scenarios {

// A test-only seam: called once per run after the cluster is built and the faults are
// scheduled, before the cluster starts. Tests install deliberately broken behaviour
// through the kernel's hooks (for instance Simulation::set_rpc_fault_hook) to show that
// the oracle, explore, replay and shrink catch it. Production commands never set it.
// It must be deterministic and must not keep references past the run; explore calls it
// from several threads at once, each time with that thread's own simulation.
using RunTamper = std::function<void(sim::Simulation&, sim::SimCluster&)>;
// A test-only seam: called once after the run was judged and summarized, while the
// simulation, the cluster and the run's files still exist (tests inspect the checkpoint
// directory, and may step the simulation on to let removals in flight complete).
using RunInspector = std::function<void(sim::Simulation&, sim::SimCluster&, const sim::RunStateBackends&)>;

struct RunOptions {
  std::optional<std::uint64_t> seed;      // overrides the scenario's seed
  bool keep_event_log = false;             // keep every event record (for traces and --events)
  std::string scenario_path;               // for the reproduction command
  bool judge = true;                       // false: simulate and record only (benchmarks)
  RunTamper tamper = nullptr;              // tests only; empty in every real run
  RunInspector inspect = nullptr;          // tests only; empty in every real run
  std::uint64_t max_kept_events = 50'000'000;  // bound on kept records when keep_event_log
  bool record_timeline = false;            // collect RunOutcome::timeline (reports)
};

// What the real-file fault layers did in one run (all 0 without file faults). Tests
// read them to see that a file fault reached a real file operation.
struct FileFaultCounts {
  std::uint64_t file_injected_failures = 0;    // failed appends, fsyncs, renames
  std::uint64_t file_torn_appends = 0;
  std::uint64_t file_frozen_rejections = 0;    // operations after a power-loss crash point
  std::uint64_t file_power_losses = 0;
  std::uint64_t file_bit_flips = 0;
  std::uint64_t bit_flips_repaired = 0;
  std::uint64_t mirror_failed_writes = 0;      // puts the files refused
  std::uint64_t mirror_refused_reads = 0;      // gets whose file failed its checksum
  std::uint64_t mirror_lost_acknowledged = 0;  // acknowledged blobs missing or changed: must stay 0
  std::uint64_t rocksdb_injected_failures = 0;
  std::uint64_t rocksdb_armed_snapshots = 0;
  std::uint64_t rocksdb_failed_flushes = 0;
};

struct RunOutcome {
  reports::RunSummary summary;
  std::vector<sim::EventRecord> event_records;    // when keep_event_log
  std::vector<std::string> event_kind_names;      // names of record kinds, by kind value
  std::vector<std::string> process_names;         // names of simulated processes, by process id
  std::vector<sim::HashCheckpoint> hash_checkpoints;   // every sim::EventLogOptions::checkpoint_interval records
  bool event_records_truncated = false;           // max_kept_events was reached
  reports::Timeline timeline;                     // when record_timeline
  FileFaultCounts file_faults;
};

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace ckptsim::scenarios
