#include "scenarios/replay.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "reports/run_summary.h"
#include "scenarios/protocol_version.h"

namespace ckptsim::scenarios {
namespace {

std::string kind_name(const std::vector<std::string>& names, sim::RecordKind kind) {
  return kind < names.size() ? names[kind] : "kind-" + std::to_string(kind);
}

std::string describe_record(const sim::EventRecord& r, const std::vector<std::string>& kind_names) {
  return format_time(r.time_ns) + " " + kind_name(kind_names, r.kind) + " p=" + std::to_string(r.process) +
         " a=" + std::to_string(r.a) + " b=" + std::to_string(r.b);
}

bool same_record(const sim::EventRecord& expected, const std::vector<std::string>& expected_kinds,
                 const sim::EventRecord& actual, const std::vector<std::string>& actual_kinds) {
  // Kinds are compared by name: a build that registers its kinds in another order
  // still matches where the events are the same.
  return expected.time_ns == actual.time_ns && expected.process == actual.process && expected.a == actual.a &&
         expected.b == actual.b && kind_name(expected_kinds, expected.kind) == kind_name(actual_kinds, actual.kind);
}

HashDivergence locate_by_hash_checkpoints(const Trace& trace, const RunOutcome& outcome) {
  const auto& expected = trace.hash_checkpoints;
  const auto& actual = outcome.hash_checkpoints;
  HashDivergence divergence;
  const std::size_t common = std::min(expected.size(), actual.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (!(expected[i] == actual[i])) {
      divergence.until_record = expected[i].record_index;
      return divergence;
    }
    divergence.after_record = expected[i].record_index;
  }
  // Every common checkpoint matched: the difference is after the last one, before the
  // next checkpoint of the longer run or the end of the shorter one.
  const std::uint64_t shorter_end = std::min(trace.events_total, outcome.summary.events);
  std::uint64_t until = std::max(shorter_end, divergence.after_record + 1);
  if (expected.size() > common) until = std::min(until, expected[common].record_index);
  if (actual.size() > common) until = std::min(until, actual[common].record_index);
  divergence.until_record = std::max(until, divergence.after_record + 1);
  return divergence;
}

std::optional<EventDifference> first_event_difference(const TraceEvents& expected, const RunOutcome& outcome) {
  const auto& er = expected.records;
  const auto& ar = outcome.event_records;
  const std::size_t common = std::min(er.size(), ar.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (!same_record(er[i], expected.kind_names, ar[i], outcome.event_kind_names)) {
      return EventDifference{i, describe_record(er[i], expected.kind_names),
                             describe_record(ar[i], outcome.event_kind_names)};
    }
  }
  // One side ended inside the other's kept records: the first missing event differs.
  const bool expected_complete = !expected.truncated;
  const bool actual_complete = !outcome.event_records_truncated;
  if (er.size() > common && actual_complete) return EventDifference{common, describe_record(er[common], expected.kind_names), std::nullopt};
  if (ar.size() > common && expected_complete) {
    return EventDifference{common, std::nullopt, describe_record(ar[common], outcome.event_kind_names)};
  }
  return std::nullopt;
}

ReplayVerdict classify(const Trace& trace, const ReplayResult& result) {
  if (result.outcome.summary.violations.empty()) return ReplayVerdict::kPassed;
  const bool same_violation = result.violation.has_value() && result.violation->event_index == trace.violation.event_index;
  if (!result.same_event_log) return ReplayVerdict::kDiverged;
  return same_violation ? ReplayVerdict::kReproduced : ReplayVerdict::kVerdictChanged;
}

std::string violation_line(const oracle::Violation& v) {
  return v.property + " at " + format_time(v.time_ns) + " (event " + std::to_string(v.event_index) + "): " + v.explanation;
}

}  // namespace

const char* replay_verdict_name(ReplayVerdict verdict) {
  switch (verdict) {
    case ReplayVerdict::kPassed: return "passed";
    case ReplayVerdict::kReproduced: return "reproduced";
    case ReplayVerdict::kDiverged: return "diverged";
    case ReplayVerdict::kVerdictChanged: return "verdict-changed";
  }
  CKPT_UNREACHABLE("unknown replay verdict");
}

ReplayResult replay(const Trace& trace, const ReplayOptions& options) {
  RunOptions run = options.run;
  run.seed = trace.seed;
  const std::uint64_t trace_events = trace.events.has_value() ? trace.events->records.size() : 0;
  const std::uint64_t around =
      options.keep_events ? trace.violation.event_index + std::min(options.events_around, kTraceEventsMax) + 1 : 0;
  run.keep_event_log = trace_events > 0 || options.keep_events;
  // Keep no more than what is compared or printed; a run that needs more keeps all.
  run.max_kept_events = std::max<std::uint64_t>({trace_events, around, 1});

  ReplayResult result;
  result.outcome = run_scenario(trace.scenario, run);
  result.violation = first_violation_of(result.outcome.summary, trace.violation.property);
  result.protocol_version_differs = trace.protocol_version != kProtocolVersion;
  result.same_event_log = result.outcome.summary.fingerprint == trace.fingerprint &&
                          result.outcome.summary.events == trace.events_total &&
                          result.outcome.hash_checkpoints == trace.hash_checkpoints;
  if (!result.same_event_log) {
    result.divergence = locate_by_hash_checkpoints(trace, result.outcome);
    if (trace.events.has_value()) result.first_difference = first_event_difference(*trace.events, result.outcome);
  }
  result.verdict = classify(trace, result);
  return result;
}

std::string describe_replay(const Trace& trace, const ReplayResult& result) {
  const reports::RunSummary& s = result.outcome.summary;
  std::string text;
  switch (result.verdict) {
    case ReplayVerdict::kPassed: text = "PASSED: the run now passes every checker; the bug this trace recorded is gone"; break;
    case ReplayVerdict::kReproduced: text = "REPRODUCED: " + violation_line(*result.violation); break;
    case ReplayVerdict::kDiverged: text = "DIVERGED: the run's event log differs from the trace's"; break;
    case ReplayVerdict::kVerdictChanged:
      text = "VERDICT CHANGED: the event log is identical, but the oracle no longer reports " + trace.violation.property +
             " at event " + std::to_string(trace.violation.event_index);
      break;
  }
  text += "\n  recorded:  " + violation_line(trace.violation);
  text += "\n  fingerprint " + reports::hex64(s.fingerprint) + " (trace " + reports::hex64(trace.fingerprint) + "), " +
          std::to_string(s.events) + " events (trace " + std::to_string(trace.events_total) + ")";
  if (result.divergence.has_value()) {
    text += "\n  first divergent hash checkpoint: records " + std::to_string(result.divergence->after_record) + ".." +
            std::to_string(result.divergence->until_record) + " (equal up to record " +
            std::to_string(result.divergence->after_record) + ")";
  }
  if (result.first_difference.has_value()) {
    const EventDifference& d = *result.first_difference;
    text += "\n  first differing event #" + std::to_string(d.index) + ":\n    trace:  " + d.expected.value_or("(none)") +
            "\n    replay: " + d.actual.value_or("(none)");
  }
  if (result.verdict != ReplayVerdict::kReproduced && result.violation.has_value()) {
    text += "\n  replay:    " + violation_line(*result.violation);
  } else if (result.verdict != ReplayVerdict::kPassed && !result.violation.has_value()) {
    text += "\n  replay:    " + trace.violation.property + " holds now; first violation: " + violation_line(s.violations.front());
  }
  if (result.protocol_version_differs) {
    text += "\n  note: the trace was recorded with protocol version '" + trace.protocol_version + "', this build is '" +
            std::string(kProtocolVersion) + "': a divergence is expected";
  }
  return text;
}

std::vector<std::string> describe_events_around(const RunOutcome& outcome, std::uint64_t center, std::uint64_t before,
                                                std::uint64_t after) {
  std::vector<std::string> lines;
  const auto& records = outcome.event_records;
  if (records.empty()) return lines;
  center = std::min<std::uint64_t>(center, records.size());
  const std::uint64_t first = center > before ? center - before : 0;
  const std::uint64_t last = std::min<std::uint64_t>(records.size() - 1, center > UINT64_MAX - after ? UINT64_MAX : center + after);
  for (std::uint64_t i = first; i <= last; ++i) {
    const sim::EventRecord& r = records[i];
    std::string process;
    if (r.process < outcome.process_names.size()) {
      process = " (" + outcome.process_names[r.process] + ")";
    } else if (r.process == kNoProcess) {
      process = " (kernel)";
    }
    char line[512];
    std::snprintf(line, sizeof(line), "%s #%-8" PRIu64 " %18s  %-26s p=%u%s  a=%" PRIu64 " b=%" PRIu64,
                  i == center ? "->" : "  ", i, format_time(r.time_ns).c_str(),
                  kind_name(outcome.event_kind_names, r.kind).c_str(), r.process, process.c_str(), r.a, r.b);
    lines.emplace_back(line);
  }
  if (center == records.size()) {
    lines.push_back("-> #" + std::to_string(center) + " the end of the kept log (" +
                    (outcome.event_records_truncated ? "truncated" : "the oracle judged the run here") + ")");
  }
  return lines;
}

}  // namespace ckptsim::scenarios
