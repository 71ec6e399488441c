// What one scenario run produced, as plain data: identity (scenario, seed, fingerprint),
// the oracle's verdict per checker, checkpoint and recovery statistics, and the
// reproduction command. Written as summary.json and printed for people.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faults/fault_schedule.h"
#include "oracle/checkers.h"

namespace ckptsim::reports {

struct CheckpointRecord {
  CheckpointId id = kNoCheckpointId;
  std::string status;             // COMPLETED, FAILED (with reason), or PENDING at the end
  std::string failure_reason;
  TimeNs trigger_time_ns = 0;
  TimeNs end_time_ns = -1;        // completion or abort; -1 while pending
  DurationNs alignment_ns = 0;    // max over subtasks
  DurationNs sync_ns = 0;         // max over subtasks
  DurationNs async_ns = 0;        // max over subtasks
  std::uint64_t state_size_bytes = 0;   // sum over subtasks
  std::uint64_t in_flight_bytes = 0;    // sum over subtasks
  std::uint32_t acknowledged = 0;
  std::uint32_t total_subtasks = 0;
};

struct Percentiles {
  DurationNs p50_ns = 0;
  DurationNs p99_ns = 0;
  DurationNs max_ns = 0;
  std::uint64_t count = 0;
};
Percentiles percentiles_of(std::vector<DurationNs> values);

struct RunSummary {
  std::string scenario_name;
  std::string scenario_path;
  std::uint64_t seed = 0;
  std::uint64_t fingerprint = 0;
  std::uint64_t events = 0;
  TimeNs simulated_ns = 0;
  bool job_finished = false;
  bool job_failed = false;
  std::uint32_t restarts = 0;
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t committed_output_digest = 0;
  std::uint64_t reference_output_digest = 0;
  std::uint64_t checkpoints_triggered = 0;
  std::uint64_t checkpoints_completed = 0;
  std::uint64_t checkpoints_failed = 0;
  Percentiles checkpoint_duration;
  Percentiles alignment;
  std::vector<CheckpointRecord> checkpoints;
  std::vector<faults::FaultWindow> faults;
  std::vector<oracle::CheckerResult> checkers;
  std::vector<oracle::Violation> violations;
  std::vector<std::string> expectation_failures;   // scenario "expect" entries not met
  std::map<std::string, std::uint64_t> coverage_marks;  // rare protocol paths reached, with counts
  std::string reproduce;                           // one-line command

  bool verdict_passed() const { return violations.empty(); }
  bool passed() const { return violations.empty() && expectation_failures.empty(); }
};

nlohmann::json to_json(const RunSummary& summary);
// The human summary: verdict per checker, checkpoints, restarts, seed, reproduction.
void print_summary(const RunSummary& summary, std::ostream& out);
std::string hex64(std::uint64_t value);

}  // namespace ckptsim::reports
