#include "reports/run_summary.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ostream>

namespace ckptsim::reports {

std::string hex64(std::uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016" PRIx64, value);
  return buffer;
}

Percentiles percentiles_of(std::vector<DurationNs> values) {
  Percentiles p;
  p.count = values.size();
  if (values.empty()) return p;
  std::sort(values.begin(), values.end());
  // Nearest-rank percentiles.
  auto rank = [&values](double q) {
    const auto n = static_cast<double>(values.size());
    auto index = static_cast<std::size_t>(q * n + 0.999999);
    index = std::clamp<std::size_t>(index, 1, values.size());
    return values[index - 1];
  };
  p.p50_ns = rank(0.50);
  p.p99_ns = rank(0.99);
  p.max_ns = values.back();
  return p;
}

namespace {

nlohmann::json percentiles_json(const Percentiles& p) {
  return {{"count", p.count}, {"p50_ns", p.p50_ns}, {"p99_ns", p.p99_ns}, {"max_ns", p.max_ns}};
}

const char* status_name(oracle::CheckStatus status) {
  switch (status) {
    case oracle::CheckStatus::kPassed: return "pass";
    case oracle::CheckStatus::kFailed: return "FAIL";
    case oracle::CheckStatus::kSkipped: return "skipped";
  }
  return "unknown";
}

}  // namespace

nlohmann::json to_json(const RunSummary& s) {
  nlohmann::json checkers = nlohmann::json::array();
  for (const oracle::CheckerResult& c : s.checkers) {
    checkers.push_back({{"property", c.property}, {"status", status_name(c.status)}, {"checked", c.checked},
                        {"violations", c.violations}, {"note", c.note}});
  }
  nlohmann::json violations = nlohmann::json::array();
  for (const oracle::Violation& v : s.violations) {
    violations.push_back({{"property", v.property}, {"time_ns", v.time_ns}, {"time", format_time(v.time_ns)},
                          {"event_index", v.event_index}, {"explanation", v.explanation}});
  }
  nlohmann::json checkpoints = nlohmann::json::array();
  for (const CheckpointRecord& c : s.checkpoints) {
    checkpoints.push_back({{"id", c.id}, {"status", c.status}, {"failure_reason", c.failure_reason},
                           {"trigger_time_ns", c.trigger_time_ns}, {"end_time_ns", c.end_time_ns},
                           {"alignment_ns", c.alignment_ns}, {"sync_ns", c.sync_ns}, {"async_ns", c.async_ns},
                           {"state_size_bytes", c.state_size_bytes}, {"in_flight_bytes", c.in_flight_bytes},
                           {"acknowledged", c.acknowledged}, {"total_subtasks", c.total_subtasks}});
  }
  nlohmann::json fault_windows = nlohmann::json::array();
  for (const faults::FaultWindow& f : s.faults) {
    fault_windows.push_back({{"type", f.type}, {"target", f.target}, {"start_ns", f.start_ns}, {"end_ns", f.end_ns}});
  }
  return {{"scenario", s.scenario_name},
          {"scenario_path", s.scenario_path},
          {"seed", s.seed},
          {"fingerprint", hex64(s.fingerprint)},
          {"committed_output_digest", hex64(s.committed_output_digest)},
          {"reference_output_digest", hex64(s.reference_output_digest)},
          {"verdict", s.verdict_passed() ? "pass" : "fail"},
          {"passed", s.passed()},
          {"events", s.events},
          {"simulated_ns", s.simulated_ns},
          {"job_finished", s.job_finished},
          {"job_failed", s.job_failed},
          {"restarts", s.restarts},
          {"records_in", s.records_in},
          {"records_out", s.records_out},
          {"duplicates", s.duplicates},
          {"checkpoints", {{"triggered", s.checkpoints_triggered},
                           {"completed", s.checkpoints_completed},
                           {"failed", s.checkpoints_failed},
                           {"duration", percentiles_json(s.checkpoint_duration)},
                           {"alignment", percentiles_json(s.alignment)},
                           {"history", checkpoints}}},
          {"faults", fault_windows},
          {"checkers", checkers},
          {"violations", violations},
          {"expectation_failures", s.expectation_failures},
          {"coverage_marks", s.coverage_marks},
          {"reproduce", s.reproduce}};
}

void print_summary(const RunSummary& s, std::ostream& out) {
  out << "scenario   " << s.scenario_name << "\n";
  out << "verdict    " << (s.verdict_passed() ? "PASS" : "FAIL") << "  (seed " << s.seed << ", fingerprint "
      << hex64(s.fingerprint) << ")\n";
  for (const oracle::CheckerResult& c : s.checkers) {
    char line[160];
    std::snprintf(line, sizeof(line), "  %-42s %-7s checked %" PRIu64, c.property.c_str(), status_name(c.status), c.checked);
    out << line;
    if (c.violations > 0) out << ", " << c.violations << " violation(s)";
    out << "\n";
  }
  for (const oracle::Violation& v : s.violations) {
    out << "  violation: " << v.property << " at " << format_time(v.time_ns) << " (event " << v.event_index
        << "): " << v.explanation << "\n";
  }
  out << "job        " << (s.job_finished ? "FINISHED" : s.job_failed ? "FAILED" : "NOT FINISHED") << " at "
      << format_time(s.simulated_ns) << " simulated, " << s.events << " events, " << s.restarts << " restart(s)\n";
  out << "records    in " << s.records_in << ", committed " << s.records_out << ", duplicates " << s.duplicates
      << ", output digest " << hex64(s.committed_output_digest) << "\n";
  out << "checkpoints triggered " << s.checkpoints_triggered << ", completed " << s.checkpoints_completed
      << ", failed " << s.checkpoints_failed << "\n";
  out << "  duration  p50 " << format_duration(s.checkpoint_duration.p50_ns) << "  p99 "
      << format_duration(s.checkpoint_duration.p99_ns) << "  max " << format_duration(s.checkpoint_duration.max_ns) << "\n";
  out << "  alignment p50 " << format_duration(s.alignment.p50_ns) << "  p99 " << format_duration(s.alignment.p99_ns)
      << "  max " << format_duration(s.alignment.max_ns) << "\n";
  for (const std::string& failure : s.expectation_failures) out << "expectation not met: " << failure << "\n";
  out << "reproduce  " << s.reproduce << "\n";
}

}  // namespace ckptsim::reports
