// Traces: everything needed to re-run one failing simulation, as a versioned JSON
// document (docs/traces.md is the reference of the format).
//
//   {"format": "ckptsim-trace", "version": 1, "protocol_version": "ckptsim-protocol-2",
//    "seed": 17, "fingerprint": "2a738086c823c909", "events_total": 75664,
//    "hash_checkpoints": [{"record_index": 16384, "hash": "..."}, ...],
//    "violation": {"property": "sink.double_commit", "time_ns": 1200000000,
//                  "event_index": 4242, "explanation": "..."},
//    "scenario": {...the canonical scenario_to_json() of the concrete scenario...},
//    "events": {"kinds": ["timer_fired", ...], "truncated": false,
//               "records": [[time_ns, kind, process, a, b], ...]}}      (optional)
//
// Contract:
//   - trace_to_json() and trace_from_json() are inverse: for every Trace t built by
//     make_trace(), trace_from_json(trace_to_json(t)) == t (field by field).
//   - trace_from_json() / parse_trace() check every field like the scenario loader does:
//     an error is a kInvalidArgument Status whose message starts with the JSON path of
//     the offending value and says what was expected, e.g.
//       $.version: expected 1 (the trace version this build reads), got 2
//     The embedded scenario's errors are reported under $.scenario. Nothing here throws
//     or asserts on user input.
//   - Bounded: a trace file is at most kTraceFileBytesMax bytes, holds at most
//     kTraceEventsMax events and kTraceHashCheckpointsMax hash checkpoints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oracle/violation.h"
#include "scenarios/json_path.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.h"
#include "sim/event_log.h"

namespace ckptsim::scenarios {

inline constexpr std::string_view kTraceFormat = "ckptsim-trace";
inline constexpr std::int64_t kTraceVersion = 1;
inline constexpr std::size_t kTraceFileBytesMax = 512u * 1024 * 1024;
inline constexpr std::uint64_t kTraceEventsMax = 4'000'000;
inline constexpr std::size_t kTraceHashCheckpointsMax = 1u << 20;
inline constexpr std::size_t kTraceEventKindsMax = 4096;

// The first records of a run's event log, for naming the first differing event on replay.
struct TraceEvents {
  std::vector<std::string> kind_names;      // by kind value
  std::vector<sim::EventRecord> records;    // records [0, records.size()) of the run
  bool truncated = false;                   // the run logged more than records.size()
  bool operator==(const TraceEvents&) const = default;
};

struct Trace {
  std::string protocol_version;             // kProtocolVersion of the recording build
  Scenario scenario;                        // the concrete scenario (random faults included)
  std::uint64_t seed = 0;                   // the run's seed (RunOptions::seed)
  std::uint64_t fingerprint = 0;            // the event log's hash at the end of the run
  std::uint64_t events_total = 0;           // records the run logged
  std::vector<sim::HashCheckpoint> hash_checkpoints;
  oracle::Violation violation;              // the earliest violation of the failing property
  std::optional<TraceEvents> events;
};

// The earliest kept violation of `property` in a run (violations are earliest first).
std::optional<oracle::Violation> first_violation_of(const reports::RunSummary& summary, std::string_view property);

// Builds the trace of a failing run. `outcome` must come from run_scenario(scenario,
// {seed}) and hold a violation of `property`. Events are included when the run kept
// them, at most `events_max` of them (0: none).
Trace make_trace(const Scenario& scenario, std::uint64_t seed, const RunOutcome& outcome, std::string_view property,
                 std::uint64_t events_max);

Json trace_to_json(const Trace& trace);
Result<Trace> trace_from_json(const Json& document);
Result<Trace> parse_trace(std::string_view json_text);
// A file that cannot be read is kNotFound / kIoError naming the path.
Result<Trace> load_trace_file(const std::string& path);
// Writes the trace (compact JSON, one line per top-level field); kIoError on failure.
Status write_trace_file(const Trace& trace, const std::string& path);

}  // namespace ckptsim::scenarios
