// Replaying a trace: re-running its concrete scenario with its seed and comparing the
// result with what the trace recorded.
//
// Contract of replay():
//   - Runs the trace's scenario once with RunOptions::seed = trace.seed (plus the
//     caller's tamper, for tests that replay a deliberately broken variant), keeping
//     the event log when it is needed (the trace holds events, or the caller asked).
//   - Classifies the result (ReplayVerdict):
//       kPassed      the run now passes every checker (the bug was fixed);
//       kReproduced  same fingerprint and hash checkpoints, and the earliest violation
//                    of the trace's property is at the same event index;
//       kDiverged    the event log differs: `divergence` names the first hash
//                    checkpoint that differs (a record-index range) and, when the
//                    trace holds events, `first_difference` the first differing event;
//       kVerdictChanged  the same event log, but the oracle now reports the trace's
//                    property elsewhere or not at all (the oracle changed).
//   - Deterministic: replaying the same trace with the same build always gives the same
//     result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/runner.h"
#include "scenarios/trace.h"

namespace ckptsim::scenarios {

enum class ReplayVerdict { kPassed, kReproduced, kDiverged, kVerdictChanged };
const char* replay_verdict_name(ReplayVerdict verdict);

struct ReplayOptions {
  RunOptions run;                    // seed, keep_event_log and max_kept_events are set by replay()
  std::uint64_t events_around = 0;   // keep the log up to this many events past the violation
  bool keep_events = false;          // keep the event log (for printing it)
};

// Records (after_record, until_record] hold the first difference: the hash checkpoint at
// after_record (0: the start) matched, the one at until_record did not (or one run
// ended first).
struct HashDivergence {
  std::uint64_t after_record = 0;
  std::uint64_t until_record = 0;
};

// The first event that differs; an absent side means that run had no event there.
struct EventDifference {
  std::uint64_t index = 0;
  std::optional<std::string> expected;   // from the trace, described
  std::optional<std::string> actual;     // from the replay, described
};

struct ReplayResult {
  ReplayVerdict verdict = ReplayVerdict::kPassed;
  RunOutcome outcome;                           // the replay run
  std::optional<oracle::Violation> violation;   // the replay's earliest violation of the trace's property
  bool same_event_log = false;                  // fingerprint, event count and hash checkpoints equal
  std::optional<HashDivergence> divergence;     // when !same_event_log
  std::optional<EventDifference> first_difference;
  bool protocol_version_differs = false;        // the trace was recorded by another protocol version
};

ReplayResult replay(const Trace& trace, const ReplayOptions& options);

// A one-paragraph explanation of the result for people (several lines, no trailing newline).
std::string describe_replay(const Trace& trace, const ReplayResult& result);

// The kept events [center - before, center + after] of a run, one line each:
//   "  #4242    1.200345000s  rpc_delivered        p=3 (tm-1)  a=17 b=40"
// with "->" marking the record at `center` (a center past the kept records, such as a
// violation the oracle found at the end of the run, is marked after the last one).
// Empty when the run kept no events.
std::vector<std::string> describe_events_around(const RunOutcome& outcome, std::uint64_t center, std::uint64_t before,
                                                std::uint64_t after);

}  // namespace ckptsim::scenarios
