// The swarm generator (TigerBeetle's options_swarm, FoundationDB's buggify): from one
// seed, a random fault plan and random protocol knobs for one simulated run.
//
// Faults. The seed first decides WHICH kinds of fault are on (each kind of
// swarm_fault_kinds() independently, with SwarmOptions::kind_probability), then how
// many of each (1 .. max_faults_per_kind, at most max_faults in all) and, for each
// fault, its time, length, targets and parameters. Every fault strikes and heals inside
// the fault phase [fault_phase_start_ns, fault_phase_end_ns): crashed processes restart,
// partitions and clogs end, clocks stop drifting. So after fault_phase_end_ns the world
// is whole again and a liveness checker can demand that the job finish (safety phase,
// then liveness phase). Faults that no protocol survives are never drawn: a process
// down for good, all storage lost for good, a failure that lasts forever
// (docs/fault-catalogue.md lists them).
//
// Knobs. Protocol settings Flink leaves to the user and would accept — checkpoint
// interval, timeout, max concurrent checkpoints, buffer timeout, credits per channel,
// heartbeat interval and timeout — drawn per seed, so a swarm explores the protocol's
// configuration space too. They are applied to a JobSpec by apply_knobs() (simulation
// only: nothing in protocol/ knows), and include the settings the swarm once found
// mishandled (docs/fault-catalogue.md, "Findings"): a buffer timeout of 0 and min-pause.
//
// Determinism: the result is a pure function of (inputs, options, seed), computed with
// sim::Rng streams derived from the seed ("swarm/kinds", "swarm/file-kinds" for the
// real-file kinds, "swarm/kind" per kind, "swarm/knobs"): turning one kind off does not change the faults drawn for another,
// and the knobs do not depend on the faults. No std:: distributions.
//
// Output form: every ScheduledFault is in the canonical form the scenario loader
// produces (params with defaults filled in, durations in format_duration, probabilities
// in format_probability), so a plan survives a scenario JSON round trip unchanged, and
// every one passes check_fault().
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault.h"
#include "protocol/runtime/job_spec.h"

namespace ckptsim::faults {

// The cluster the faults are for.
struct SwarmInputs {
  std::uint32_t task_managers = 2;      // "tm-0" .. "tm-<n-1>"
  bool has_job_manager = true;          // "jm"
  bool has_sink_store = true;           // "sink-store"
  bool has_storage = true;              // checkpoint blob storage (storage faults)
  bool has_checkpoint_files = false;    // real checkpoint files (execution.checkpointing.dir): file faults
  bool has_rocksdb = false;             // RocksDB local state: rocksdb-* faults
  // An estimate of the failure-free run (e.g. the input's production time); the
  // default fault phase is its first three quarters.
  DurationNs run_length_ns = 5 * kSecond;
};

struct SwarmOptions {
  TimeNs fault_phase_start_ns = 0;
  TimeNs fault_phase_end_ns = 0;           // 0: 3/4 of SwarmInputs::run_length_ns
  double kind_probability = 0.5;           // chance that one kind is on
  std::uint32_t max_faults = 12;
  std::uint32_t max_faults_per_kind = 3;
  DurationNs min_fault_duration_ns = 1 * kMillisecond;
  DurationNs max_fault_duration_ns = 1 * kSecond;   // partitions, pauses, storage and RPC faults
  DurationNs min_downtime_ns = 10 * kMillisecond;   // crash to restart
  DurationNs max_downtime_ns = 2 * kSecond;
  std::vector<std::string> excluded_kinds;          // never on (e.g. while a known bug is open)
};

// Randomized protocol knobs, all within what Flink accepts (and the scenario loader's
// ranges): validate() of the resulting CheckpointCoordinatorConfig passes. The upper
// bounds of the timeouts are also chosen so that a run can recover well within a
// liveness bound of 30 s: a checkpoint stuck on a lost ack ends at its timeout, and a
// lost peer is noticed at the heartbeat timeout.
struct SwarmKnobs {
  DurationNs checkpoint_interval_ns = 100 * kMillisecond;  // execution.checkpointing.interval, [10ms, 500ms]
  DurationNs checkpoint_timeout_ns = 10 * kSecond;         // execution.checkpointing.timeout, [1s, 10s]
  std::int32_t max_concurrent_checkpoints = 1;             // ...max-concurrent-checkpoints, [1, 4]
  DurationNs buffer_timeout_ns = 100 * kMillisecond;       // execution.buffer-timeout.interval, 0 or [1ms, 200ms]
  DurationNs min_pause_ns = 0;                             // execution.checkpointing.min-pause, 0 or [1ms, interval]
  std::uint32_t credits_per_channel = 2;                   // taskmanager.network.memory.buffers-per-channel, [1, 8]
  DurationNs heartbeat_interval_ns = 1 * kSecond;          // heartbeat.interval, [100ms, 1s]
  DurationNs heartbeat_timeout_ns = 5 * kSecond;           // heartbeat.timeout, [2, 5] x interval
  bool operator==(const SwarmKnobs&) const = default;
};

struct SwarmPlan {
  std::vector<ScheduledFault> faults;        // ordered by at_ns (ties: generation order)
  std::vector<std::string> enabled_kinds;    // in catalogue order
  SwarmKnobs knobs;
  TimeNs fault_phase_end_ns = 0;             // every fault has healed by then
};

// The kinds the swarm draws from: every catalogue kind, each only in survivable forms.
// The real-file kinds only for inputs with those files (has_checkpoint_files, has_rocksdb).
std::span<const std::string_view> swarm_fault_kinds();

SwarmPlan generate_swarm(const SwarmInputs& inputs, const SwarmOptions& options, std::uint64_t seed);
// generate_swarm(inputs, SwarmOptions{}, seed).faults.
std::vector<ScheduledFault> generate_swarm_faults(const SwarmInputs& inputs, std::uint64_t seed);
// The knobs alone (the same as generate_swarm(...).knobs for that seed).
SwarmKnobs generate_swarm_knobs(std::uint64_t seed);
// The end of the fault phase generate_swarm uses for these inputs and options.
TimeNs swarm_fault_phase_end_ns(const SwarmInputs& inputs, const SwarmOptions& options);

// Writes the knobs into a job: checkpointing settings only when the job checkpoints
// (interval > 0, as in Flink a disabled checkpointing stays disabled), network and
// heartbeat settings always.
void apply_knobs(const SwarmKnobs& knobs, JobSpec& job);
// The knobs as Flink configuration entries (key -> value in Flink's syntax), for
// scenarios and traces.
std::map<std::string, std::string> knobs_as_config(const SwarmKnobs& knobs);

}  // namespace ckptsim::faults
