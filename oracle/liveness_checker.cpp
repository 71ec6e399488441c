// liveness.finish: after the last fault healed (or from time 0 when the run reported no
// fault phase), the job must finish and its committed output become complete within
// OracleConfig::liveness_bound_ns. A run that ends before that is judged at its end.
#include <algorithm>
#include <string>

#include "oracle/checkers.h"

namespace ckptsim::oracle {
namespace {

std::optional<TimeNs> fault_phase_end(const RunObservations& observations) {
  std::optional<TimeNs> end;
  for (const ObservedEvent& event : observations.events) {
    if (event.kind == ObservedKind::kFaultPhaseEnded) end = std::max(event.reported_time_ns, end.value_or(event.reported_time_ns));
  }
  return end;
}

}  // namespace

void check_liveness(const JudgeContext& context, const OutputTally& tally, ViolationLog& log) {
  if (!context.config.check_liveness) {
    log.add_note(kLivenessFinish, "disabled for this run");
    return;
  }
  const std::optional<TimeNs> healed = fault_phase_end(context.observations);
  const TimeNs start_ns = healed.value_or(0);
  const TimeNs deadline_ns = start_ns + context.config.liveness_bound_ns;
  const std::string clock = "the fault phase ended at " + format_time(start_ns) +
                            (healed.has_value() ? "" : " (none reported)") + ", the bound is " +
                            format_duration(context.config.liveness_bound_ns);
  const std::optional<RunPoint> finish = job_finish(context.observations);
  log.count_checked(kLivenessFinish);
  if (finish.has_value() && tally.complete) {
    RunPoint completion = *finish;
    if (tally.completing_commit != kNoIndex) {
      const CommitEvent& commit = context.committed.commits[tally.completing_commit];
      if (commit.event_index > completion.event_index) completion = RunPoint{commit.time_ns, commit.event_index};
    }
    if (completion.time_ns <= deadline_ns) return;
    log.report(kLivenessFinish, completion.time_ns, completion.event_index,
               "the job completed at " + format_time(completion.time_ns) + ", later than the bound; " + clock);
    return;
  }
  const RunPoint end = run_end(context.observations);
  const std::string what = finish.has_value() ? "the job finished but its committed output is incomplete"
                                              : "the job did not finish";
  log.report(kLivenessFinish, end.time_ns, end.event_index,
             "the run ended at " + format_time(end.time_ns) + " and " + what + " (" +
                 std::to_string(context.committed.total_records) + " records committed, " +
                 std::to_string(tally.expected_records) + " expected); " + clock);
}

}  // namespace ckptsim::oracle
