// liveness.finish: after the last fault healed (or from time 0 when the run reported no
// fault phase), the job must finish and its committed output become complete within
// OracleConfig::liveness_bound_ns. A run that ends before that is judged at its end.
// A job that FAILED passes only if its restart strategy really had no restart left.
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

// The restarts the configured strategy allows before it gives up (Flink's semantics);
// failure-rate allows max-failures-per-interval within one interval.
std::uint64_t restarts_allowed(const RestartStrategySpec& spec) {
  switch (spec.kind) {
    case RestartStrategyKind::kNone: return 0;
    case RestartStrategyKind::kFixedDelay: return spec.fixed_delay_attempts;
    case RestartStrategyKind::kExponentialDelay: return spec.exponential_attempts;
    case RestartStrategyKind::kFailureRate: return spec.failure_rate_max_failures;
  }
  return 0;
}

// A job that reached FAILED is live in Flink's sense only when its restart strategy had
// no restart left: the failures the JobManager counted must exceed the restarts the
// configured strategy allows. (The count is the JobManager's; the oracle checks it
// against the configuration, which the runtime cannot change.) Failures before a
// deployment (no slots, an epoch that cannot be stored) count, as they do in Flink.
bool judge_failed_job(const JudgeContext& context, ViolationLog& log) {
  const ObservedEvent* failed = nullptr;
  std::uint64_t deployments = 0;
  for (const ObservedEvent& event : context.observations.events) {
    if (event.kind == ObservedKind::kJobRestore) ++deployments;
    if (event.kind == ObservedKind::kJobFailed && failed == nullptr) failed = &event;
  }
  if (failed == nullptr) return false;
  const std::uint64_t allowed = restarts_allowed(context.config.job.restart);
  const auto failures = static_cast<std::uint64_t>(failed->reported_time_ns);
  log.count_checked(kLivenessFinish);
  if (failures > allowed) {
    log.add_note(kLivenessFinish, "the job failed after " + std::to_string(failures) + " failure(s) and " +
                                      std::to_string(deployments) + " deployment(s): its restart strategy allows " +
                                      std::to_string(allowed) + " restart(s)");
    return true;
  }
  log.report(kLivenessFinish, failed->time_ns, failed->event_index,
             "the job failed after " + std::to_string(failures) + " failure(s) and " + std::to_string(deployments) +
                 " deployment(s), but its restart strategy allows " + std::to_string(allowed) + " restart(s)");
  return true;
}

}  // namespace

void check_liveness(const JudgeContext& context, const OutputTally& tally, ViolationLog& log) {
  if (!context.config.check_liveness) {
    log.add_note(kLivenessFinish, "disabled for this run");
    return;
  }
  if (judge_failed_job(context, log)) return;
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
