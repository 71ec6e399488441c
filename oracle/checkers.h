// The oracle: independent checkers that judge one run's observations against a
// failure-free reference execution of the same job on the same input. Nothing here calls
// protocol code that implements behaviour: the reference, the key routing and every
// checker are the oracle's own; only plain data types come from protocol/.
//
// judge() runs every checker and returns a Verdict: one CheckerResult per property (in
// oracle_properties() order) and the kept violations, earliest first: by event index,
// then time, then the order the checkers reported them. The first one is the one a run
// reports. Judging is linear in the committed records on a correct run (digests and
// flat counters; no sorting of records), so a million records take a fraction of a second.
//
// Which guarantee is expected: exactly-once output when the sink is two-phase-commit
// (sink_guarantee kExactlyOnce) and checkpointing is aligned exactly-once (or disabled:
// a restart then replays everything and aborts every open transaction). Otherwise
// at-least-once: no loss, duplicates counted in Verdict::duplicates, not failed; output
// order and agg_count sequences are then not checked, and final state only when no task
// was restored from a checkpoint. Consistent cuts are checked whenever checkpointing is
// exactly-once (the sink's part only for a two-phase-commit sink).
//
// Properties (stable identifiers) and when each is judged:
//   output.no_loss           every reference record committed as often as the reference
//                            says; judged at the end of a run whose job finished.
//   output.no_duplicates     no record committed more often; at the commit that did.
//   output.unexpected        no committed record the reference never produces.
//   output.aggregate_counts  per key, the agg_count values of a sink fed by one keyed
//                            aggregate are exactly 1..n (duplicates at once, gaps at the end).
//   output.order             per (sink subtask, source partition, key) along FIFO paths,
//                            the k-th copies are committed in offset order (transactions
//                            ordered by checkpoint id, then position).
//   state.final              final state of sources, keyed aggregates (per owning subtask)
//                            and sequence checkers equals the reference.
//   cut.consistent           each completed checkpoint's snapshots equal the reference for
//                            the input prefix its sources' offsets name (aligned checkpoints:
//                            state views carry no channel state).
//   recovery.restored_state  a task restores exactly what it snapshotted for that checkpoint.
//   protocol.ids_increase, protocol.max_concurrent, protocol.min_pause (applied to every
//                            trigger: the simulator triggers periodic checkpoints only),
//   sink.commit_without_completed_checkpoint (no completed or restored checkpoint >= the
//                            transaction's; not judged without checkpointing),
//   sink.commit_unknown_transaction, sink.double_commit, sink.commit_order,
//   checkpoint.latest_discarded, recovery.restored_not_completed,
//   recovery.restored_not_latest,
//   liveness.finish          the job finished and its output became complete within
//                            liveness_bound_ns of the end of the fault phase.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "oracle/committed_output.h"
#include "oracle/job_topology.h"
#include "oracle/observations.h"
#include "oracle/reference_execution.h"
#include "oracle/violation.h"
#include "protocol/runtime/job_spec.h"
#include "sim/external/input_log.h"

namespace ckptsim::oracle {

inline constexpr std::string_view kOutputNoLoss = "output.no_loss";
inline constexpr std::string_view kOutputNoDuplicates = "output.no_duplicates";
inline constexpr std::string_view kOutputUnexpected = "output.unexpected";
inline constexpr std::string_view kOutputAggregateCounts = "output.aggregate_counts";
inline constexpr std::string_view kOutputOrder = "output.order";
inline constexpr std::string_view kStateFinal = "state.final";
inline constexpr std::string_view kCutConsistent = "cut.consistent";
inline constexpr std::string_view kRecoveryRestoredState = "recovery.restored_state";
inline constexpr std::string_view kProtocolIdsIncrease = "protocol.ids_increase";
inline constexpr std::string_view kProtocolMaxConcurrent = "protocol.max_concurrent";
inline constexpr std::string_view kProtocolMinPause = "protocol.min_pause";
inline constexpr std::string_view kSinkCommitWithoutCompleted = "sink.commit_without_completed_checkpoint";
inline constexpr std::string_view kSinkCommitUnknownTransaction = "sink.commit_unknown_transaction";
inline constexpr std::string_view kSinkDoubleCommit = "sink.double_commit";
inline constexpr std::string_view kSinkCommitOrder = "sink.commit_order";
inline constexpr std::string_view kCheckpointLatestDiscarded = "checkpoint.latest_discarded";
inline constexpr std::string_view kRecoveryRestoredNotCompleted = "recovery.restored_not_completed";
inline constexpr std::string_view kRecoveryRestoredNotLatest = "recovery.restored_not_latest";
inline constexpr std::string_view kLivenessFinish = "liveness.finish";
inline constexpr std::string_view kLivenessCheckpoints = "liveness.checkpoints";

const std::vector<std::string_view>& oracle_properties();

struct OracleConfig {
  JobSpec job;
  sim::InputLogSpec input;
  // After the fault phase ended (or from time 0 when no kFaultPhaseEnded was reported),
  // the job must finish and its committed output be complete within this bound.
  DurationNs liveness_bound_ns = 5 * kMinute;
  // False for a safety-only run that is cut short on purpose.
  bool check_liveness = true;
};

struct Verdict {
  std::vector<CheckerResult> results;  // one per property, in oracle_properties() order
  std::vector<Violation> violations;   // kept examples, earliest (event index) first
  std::uint64_t committed_output_digest = 0;  // order-independent, see output_identity.h
  std::uint64_t reference_output_digest = 0;  // the digest of a correct exactly-once run
  std::uint64_t committed_records = 0;
  std::uint64_t expected_records = 0;
  std::uint64_t duplicates = 0;  // committed copies beyond the reference multiplicity

  bool passed() const { return violations.empty(); }
  const Violation* first_violation() const { return violations.empty() ? nullptr : &violations.front(); }
  const CheckerResult* result(std::string_view property) const;
};

Verdict judge(const OracleConfig& config, const RunObservations& observations);

// True when the job's configuration promises exactly-once output (see above).
bool expects_exactly_once(const JobSpec& job);

// Everything a checker may read. Built once by judge().
struct JudgeContext {
  const OracleConfig& config;
  const JobTopology& topology;
  const sim::InputLog& input;
  const ReferenceExecution& reference_execution;  // run to the end of the input
  const ReferenceResult& reference;               // summarize(reference_execution); no outputs kept
  const RunObservations& observations;
  const CommittedOutput& committed;
  bool exactly_once = true;
};

// Where the run ended: its kRunEnded event, else its last event.
struct RunPoint {
  TimeNs time_ns = 0;
  std::uint64_t event_index = 0;
};
RunPoint run_end(const RunObservations& observations);
// The first kJobFinished or kAllInputCompleted event, if any.
std::optional<RunPoint> job_finish(const RunObservations& observations);

// What the output checker learned for the liveness checker and the verdict.
struct OutputTally {
  std::uint64_t duplicates = 0;
  std::uint64_t expected_records = 0;
  bool complete = false;                   // every expected copy was committed
  std::uint32_t completing_commit = kNoIndex;  // the commit that made it complete
};

void check_output(const JudgeContext& context, ViolationLog& log, OutputTally& tally);
// Parts of check_output for one exactly-once sink, exposed for tests.
void check_aggregate_counts(const JudgeContext& context, OperatorIndex sink, OperatorIndex aggregate,
                            ViolationLog& log);
void check_output_order(const JudgeContext& context, OperatorIndex sink, ViolationLog& log);
void check_final_state(const JudgeContext& context, ViolationLog& log);
// The consistent-cut checker runs before the others: it drives `reference` through the
// completed checkpoints' input prefixes (restarting it if they ever move backwards), and
// judge() then runs the same execution on to the end of the input: one pass in all.
void check_cuts(const OracleConfig& config, const JobTopology& topology, const sim::InputLog& input,
                const RunObservations& observations, ReferenceExecution& reference, ViolationLog& log);
void check_restored_state(const JudgeContext& context, ViolationLog& log);
void check_coordinator(const JudgeContext& context, ViolationLog& log);
void check_sink_commits(const JudgeContext& context, ViolationLog& log);
void check_liveness(const JudgeContext& context, const OutputTally& tally, ViolationLog& log);
void check_checkpoint_progress(const JudgeContext& context, ViolationLog& log);

}  // namespace ckptsim::oracle
