#include <utility>

#include "oracle/checkers.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {

const std::vector<std::string_view>& oracle_properties() {
  static const std::vector<std::string_view> kProperties = {
      kOutputNoLoss,
      kOutputNoDuplicates,
      kOutputUnexpected,
      kOutputAggregateCounts,
      kOutputOrder,
      kStateFinal,
      kCutConsistent,
      kRecoveryRestoredState,
      kProtocolIdsIncrease,
      kProtocolMaxConcurrent,
      kProtocolMinPause,
      kSinkCommitWithoutCompleted,
      kSinkCommitUnknownTransaction,
      kSinkDoubleCommit,
      kSinkCommitOrder,
      kCheckpointLatestDiscarded,
      kRecoveryRestoredNotCompleted,
      kRecoveryRestoredNotLatest,
      kLivenessFinish,
      kLivenessCheckpoints,
  };
  return kProperties;
}

const CheckerResult* Verdict::result(std::string_view property) const {
  for (const CheckerResult& r : results) {
    if (r.property == property) return &r;
  }
  return nullptr;
}

bool expects_exactly_once(const JobSpec& job) {
  if (job.sink_guarantee != SinkGuarantee::kExactlyOnce) return false;
  return job.checkpointing_mode == CheckpointingMode::kExactlyOnce || !job.checkpointing_enabled;
}

RunPoint run_end(const RunObservations& observations) {
  RunPoint end;
  for (const ObservedEvent& event : observations.events) {
    if (event.kind == ObservedKind::kRunEnded) return RunPoint{event.time_ns, event.event_index};
    end = RunPoint{event.time_ns, event.event_index};
  }
  return end;
}

std::optional<RunPoint> job_finish(const RunObservations& observations) {
  for (const ObservedEvent& event : observations.events) {
    if (event.kind == ObservedKind::kJobFinished || event.kind == ObservedKind::kAllInputCompleted) {
      return RunPoint{event.time_ns, event.event_index};
    }
  }
  return std::nullopt;
}

Verdict judge(const OracleConfig& config, const RunObservations& observations) {
  const JobTopology topology = JobTopology::from_spec(config.job);
  const sim::InputLog input(config.input);
  ViolationLog log(oracle_properties());
  // Sink records are not kept: outputs are compared by digest, and the output checker
  // recomputes the records only to explain a difference.
  ReferenceExecution reference_execution(topology, input, /*keep_sink_records=*/false);
  check_cuts(config, topology, input, observations, reference_execution, log);
  reference_execution.run_to_end();
  const ReferenceResult reference = summarize(topology, reference_execution);
  const CommittedOutput committed = collect_committed_output(topology, observations);
  const JudgeContext context{config,    topology,     input, reference_execution, reference, observations,
                             committed, expects_exactly_once(config.job)};

  OutputTally tally;
  check_coordinator(context, log);
  check_sink_commits(context, log);
  check_restored_state(context, log);
  check_output(context, log, tally);
  check_final_state(context, log);
  check_liveness(context, tally, log);
  check_checkpoint_progress(context, log);

  Verdict verdict;
  verdict.results = log.results();
  verdict.violations = log.violations();
  verdict.committed_output_digest = committed.digest;
  verdict.reference_output_digest = reference.output_digest;
  verdict.committed_records = committed.total_records;
  verdict.expected_records = tally.expected_records;
  verdict.duplicates = tally.duplicates;
  return verdict;
}

}  // namespace ckptsim::oracle
