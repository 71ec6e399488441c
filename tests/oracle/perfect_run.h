// Test support: small jobs built by hand and a "perfect run" generator that turns the
// oracle's own reference execution into the observations a correct runtime would report
// (checkpoints, consistent snapshots, two-phase-commit transactions, commits, final state),
// optionally with one failure and a restore. Tests mutate the result to plant one bug.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oracle/checkers.h"
#include "oracle/observations.h"
#include "protocol/runtime/job_spec.h"
#include "sim/external/input_log.h"

namespace ckptsim::oracle::testing {

// source(2) -hash-> agg(2) -forward-> sink(2)
JobSpec aggregate_pipeline_job();
// source(2) -forward-> left map(2) / right map(2) -hash-> sink(2) (a diamond)
JobSpec diamond_job(bool same_map_params);
// source(2) -forward-> filter(2) -hash-> agg(2) -forward-> sink(2)
JobSpec filter_job(std::int64_t modulus);
// source(1) -broadcast-> map(3) -forward-> sink(3)
JobSpec broadcast_job();
// source(2) -hash-> checker(2) -rebalance-> sink(3)
JobSpec sequence_checker_job();

sim::InputLogSpec small_input(std::uint64_t seed, std::uint32_t partitions = 3, std::uint64_t records = 40,
                              std::uint64_t keys = 4);

OracleConfig make_config(JobSpec job, sim::InputLogSpec input);

struct PerfectRunOptions {
  std::uint32_t checkpoints = 3;   // the last one covers the whole input
  std::uint64_t commit_order_seed = 0;  // permutes the commits of one checkpoint's transactions
  // Checkpoint with this id is pre-committed everywhere, then the job fails before it
  // completes: it is aborted, the job restores the previous checkpoint, and its input is
  // replayed into the next checkpoint.
  std::optional<CheckpointId> fail_at_checkpoint;
  TimeNs step_ns = kMillisecond;  // simulated time between two reports
};

RunObservations perfect_run(const OracleConfig& config, const PerfectRunOptions& options = {});

// Mutation helpers. Batches keep their index; their records move to the end of the pool.
std::vector<Record> batch_copy(const RunObservations& observations, std::uint32_t batch);
void rewrite_batch(RunObservations& observations, std::uint32_t batch, const std::vector<Record>& records);
// Position in events of the first event of `kind` for transaction `name` (asserts it exists).
std::uint32_t find_store_event(const RunObservations& observations, ObservedKind kind, const std::string& name);
// Position of the n-th (0-based) event of `kind`.
std::uint32_t find_event(const RunObservations& observations, ObservedKind kind, std::uint32_t nth = 0);
// Moves the event at `from` to just after the event at `after` (from < after), stamping it
// with that event's time and index so the log stays chronological.
void move_event_after(RunObservations& observations, std::uint32_t from, std::uint32_t after);

// True when some violation names `property`.
bool has_violation(const Verdict& verdict, std::string_view property);
// Every violation, one per line, for failure messages.
std::string describe(const Verdict& verdict);

}  // namespace ckptsim::oracle::testing
