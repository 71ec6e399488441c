// A scenario: one simulated run of a job on an input, under a list of faults, with what
// the run is expected to show. Plain values. The loader (scenario_loader.h) fills them
// from a JSON file, checking everything a user can get wrong, and prints them back in a
// canonical JSON form that traces embed; docs/scenario-format.md is the format's reference.
//
// Invariants of a Scenario returned by the loader (code that builds one by hand should
// keep them too):
//   1. job.operators and job.edges form a graph that JobGraphBuilder::build() accepts,
//      and job.params has an entry for every operator.
//   2. job.checkpointing passes validate(); job.checkpointing_enabled is
//      (job.checkpointing.interval_ns > 0), as in Flink.
//   3. input.seed == seed: the input log is a function of the scenario's seed.
//   4. Every fault's type is in fault_types() (scenario_faults.h), its fields satisfy
//      that type's rules, it names processes that exist, and it starts and ends within
//      run.max_duration_ns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/runtime/job_spec.h"
#include "sim/external/input_log.h"
#include "sim/storage/sim_blob_store.h"

namespace ckptsim::scenarios {

using sim::InputLogSpec;

// Names of the simulated processes a fault can target.
inline constexpr std::string_view kJobManagerProcess = "jm";
inline constexpr std::string_view kSinkStoreProcess = "sink-store";
// Task manager i is "tm-<i>", i in [0, cluster.task_managers).
std::string task_manager_process(std::uint32_t index);
// "tm-3" -> 3. Decimal digits without leading zeros; nullopt for anything else.
std::optional<std::uint32_t> parse_task_manager_process(std::string_view name);

// FaultSpec::restart_after_ns for a process that stays down.
inline constexpr DurationNs kRestartNever = -1;

// One fault of a fault plan. Generic on purpose: the catalogue of types and which fields
// each one uses lives in one table (fault_types() in scenario_faults.h), so a new kind of
// fault adds a row there, with any extra settings in `params`.
struct FaultSpec {
  std::string type;                        // e.g. "task-manager-crash"
  TimeNs at_ns = 0;                        // when it strikes, from the start of the run
  DurationNs duration_ns = 0;              // how long it lasts; 0 = not a lasting fault
  DurationNs restart_after_ns = kRestartNever;  // crashes: downtime before restart
  std::string target;                      // a process name ("jm", "tm-0", "sink-store")
  std::string peer;                        // the other end of a link; empty = none
  std::map<std::string, std::string> params;  // type-specific extras, canonical text
};

// Bounds of one run: the run stops at max_duration_ns; after the last fault heals, the
// job must finish (and checkpoints complete again) within liveness_bound_ns.
struct RunSpec {
  DurationNs max_duration_ns = 5 * kMinute;
  DurationNs liveness_bound_ns = 60 * kSecond;
};

// What the run must show; an absent value is not checked.
struct Expectations {
  std::optional<bool> verdict_pass;                      // the oracle's verdict
  std::optional<std::uint64_t> min_completed_checkpoints;
  std::optional<std::uint64_t> restarts;                 // exact number of job restarts
  std::optional<std::uint64_t> min_restarts;
};

struct Scenario {
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  JobSpec job;
  InputLogSpec input;
  std::vector<FaultSpec> faults;
  RunSpec run;
  Expectations expect;
  // The simulated checkpoint storage every blob goes through (ckptsim.storage.* keys):
  // a put takes latency + bytes / write bandwidth of virtual time, a get latency +
  // bytes / read bandwidth. Bandwidths are > 0.
  sim::BlobStorageModel storage;
  // Configuration accepted for forward compatibility but not yet modelled, in canonical
  // text: "state.backend.type", "execution.checkpointing.dir",
  // "execution.checkpointing.incremental" (see scenario_config.h).
  std::map<std::string, std::string> extra_config;
};

}  // namespace ckptsim::scenarios
