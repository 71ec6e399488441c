#include "sim/determinism_check.h"

namespace ckptsim::sim {

DeterminismReport check_determinism(const Workload& workload, SimulationOptions options) {
  options.log.keep_records = true;
  Simulation first(options);
  workload(first);
  Simulation second(options);
  workload(second);

  DeterminismReport report;
  report.first_fingerprint = first.fingerprint();
  report.second_fingerprint = second.fingerprint();
  report.first_record_count = first.log().record_count();
  report.second_record_count = second.log().record_count();
  report.divergence = first_divergence(first.log(), second.log());
  report.deterministic = !report.divergence.has_value();
  if (report.deterministic) {
    report.explanation = "identical: " + std::to_string(report.first_record_count) + " events";
    return report;
  }
  const Divergence& d = *report.divergence;
  std::string text = "first difference at event #" + std::to_string(d.record_index);
  if (!d.exact) text = "runs diverge after event #" + std::to_string(d.record_index) + " (located by hash checkpoints)";
  if (d.expected) text += "\n  first run:  " + describe_record(first.log(), *d.expected);
  else if (d.exact) text += "\n  first run:  <log ended>";
  if (d.actual) text += "\n  second run: " + describe_record(second.log(), *d.actual);
  else if (d.exact) text += "\n  second run: <log ended>";
  report.explanation = text;
  return report;
}

}  // namespace ckptsim::sim
