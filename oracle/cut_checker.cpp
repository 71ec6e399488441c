// cut.consistent: every completed checkpoint of an exactly-once run is a consistent cut.
// The sources' snapshotted offsets name an input prefix; every keyed aggregate's snapshot
// must equal the reference state for that prefix (restricted to the keys its subtask
// owns), every sequence checker that must count 0 must have counted 0, and each
// two-phase-commit sink's committed + pending transactions must hold exactly the
// reference output for that prefix.
#include <map>
#include <string>
#include <vector>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"
#include "oracle/sink_cut_tracker.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

struct Capture {
  std::uint32_t position = kNoIndex;  // into events
  SinkCutPart sink;                   // for sink subtasks
};

// What the consistent-cut checker reads.
struct CutContext {
  const OracleConfig& config;
  const JobTopology& topology;
  const sim::InputLog& input;
  const RunObservations& observations;
};

class CutCheck {
 public:
  CutCheck(const CutContext& context, ReferenceExecution& reference, ViolationLog& log)
      : context_(context), log_(log), locator_(context.topology), sinks_(context.topology, context.observations),
        finished_(context.topology.subtask_count(), kNoIndex), reference_(reference),
        check_sinks_(context.config.job.sink_guarantee == SinkGuarantee::kExactlyOnce) {}

  void run() {
    const std::vector<ObservedEvent>& events = context_.observations.events;
    for (std::uint32_t position = 0; position < events.size(); ++position) {
      const ObservedEvent& event = events[position];
      sinks_.observe(event);
      switch (event.kind) {
        case ObservedKind::kSnapshotCaptured:
          on_capture(event, position);
          break;
        case ObservedKind::kTaskFinished:
          if (auto address = locator_.locate(context_.observations.views[event.view])) finished_[address->dense] = position;
          break;
        case ObservedKind::kCheckpointCompleted:
          on_completed(event);
          break;
        case ObservedKind::kCheckpointAborted:
          captures_.erase(event.checkpoint_id);
          break;
        default:
          break;
      }
    }
    if (skipped_ > 0) log_.add_note(kCutConsistent, std::to_string(skipped_) + " checkpoints lacked a snapshot view");
  }

 private:
  void on_capture(const ObservedEvent& event, std::uint32_t position) {
    const OperatorStateView& view = context_.observations.views[event.view];
    const std::optional<SubtaskAddress> address = locator_.locate(view);
    if (!address.has_value()) {
      log_.report(kCutConsistent, event.time_ns, event.event_index,
                  "checkpoint " + std::to_string(event.checkpoint_id) + ": a snapshot of " + quoted(view.operator_name) +
                      " subtask " + std::to_string(view.subtask_index) + ", which the job does not have");
      return;
    }
    std::vector<Capture>& captures = captures_[event.checkpoint_id];
    if (captures.empty()) captures.resize(context_.topology.subtask_count());
    Capture& capture = captures[address->dense];
    capture.position = position;
    if (context_.topology.op(address->op).kind == OperatorKind::kSink) capture.sink = sinks_.summarise(address->dense, view);
  }

  void on_completed(const ObservedEvent& event) {
    auto it = captures_.find(event.checkpoint_id);
    std::vector<Capture> captures;
    if (it != captures_.end()) captures = std::move(it->second);
    // Lower checkpoints can no longer complete; drop what they captured.
    captures_.erase(captures_.begin(), captures_.upper_bound(event.checkpoint_id));
    if (captures.empty() || !fill_from_finished(captures, event)) {
      ++skipped_;
      return;
    }
    log_.count_checked(kCutConsistent);
    std::optional<InputPrefix> prefix = prefix_of(captures, event);
    if (!prefix.has_value()) return;
    advance_reference(*prefix);
    if (!check_keyed(captures, event)) return;
    if (check_sinks_) check_sink_outputs(captures, event, *prefix);
  }

  // Tasks that finished before the checkpoint completed take part with their final state;
  // returns false when a stateful subtask has no view at all.
  bool fill_from_finished(std::vector<Capture>& captures, const ObservedEvent& completion) {
    for (OperatorIndex index = 0; index < context_.topology.operators().size(); ++index) {
      const TopologyOperator& op = context_.topology.op(index);
      if (op.kind == OperatorKind::kMap || op.kind == OperatorKind::kFilter) continue;
      if (op.kind == OperatorKind::kSink && !check_sinks_) continue;
      for (std::uint32_t dense = op.first_subtask; dense < op.first_subtask + op.parallelism; ++dense) {
        if (captures[dense].position != kNoIndex) continue;
        const bool finished_before = finished_[dense] != kNoIndex &&
                                     context_.observations.events[finished_[dense]].event_index <= completion.event_index;
        if (!finished_before || op.kind == OperatorKind::kSink) return false;
        captures[dense].position = finished_[dense];
      }
    }
    return true;
  }

  const OperatorStateView& view_of(const Capture& capture) const {
    return context_.observations.views[context_.observations.events[capture.position].view];
  }

  void report(const ObservedEvent& completion, const std::string& explanation) {
    log_.report(kCutConsistent, completion.time_ns, completion.event_index,
                "checkpoint " + std::to_string(completion.checkpoint_id) + ": " + explanation);
  }

  std::optional<InputPrefix> prefix_of(const std::vector<Capture>& captures, const ObservedEvent& completion) {
    InputPrefix prefix = InputPrefix::empty(context_.topology, context_.config.input);
    const std::vector<OperatorIndex> sources = context_.topology.of_kind(OperatorKind::kSource);
    for (std::size_t ordinal = 0; ordinal < sources.size(); ++ordinal) {
      const TopologyOperator& op = context_.topology.op(sources[ordinal]);
      for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) {
        const OperatorStateView& view = view_of(captures[op.first_subtask + subtask]);
        if (auto invalid = validate_source_offsets(op, subtask, view.source_next_offsets, context_.config.input)) {
          report(completion, quoted(op.name) + " subtask " + std::to_string(subtask) + " snapshotted " + *invalid);
          return std::nullopt;
        }
        for (const auto& [partition, offset] : view.source_next_offsets) prefix.next_offsets[ordinal][partition] = offset;
      }
    }
    return prefix;
  }

  void advance_reference(const InputPrefix& prefix) {
    // Completed checkpoints of a correct run only move forward; anything else starts over.
    if (!prefix.dominates(reference_.position())) {
      reference_ = ReferenceExecution(context_.topology, context_.input, reference_.keeps_sink_records());
    }
    reference_.advance_to(prefix);
  }

  bool check_keyed(const std::vector<Capture>& captures, const ObservedEvent& completion) {
    for (OperatorIndex index = 0; index < context_.topology.operators().size(); ++index) {
      const TopologyOperator& op = context_.topology.op(index);
      if (op.kind == OperatorKind::kSequenceChecker && !check_sequence_checker(captures, index, completion)) return false;
      if (op.kind != OperatorKind::kKeyedAggregate) continue;
      const ReferenceKeyedState reference = keyed_state_of(reference_, op, index);
      for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) {
        const OperatorStateView& view = view_of(captures[op.first_subtask + subtask]);
        if (auto problem = diff_keyed_state(op, subtask, view.keyed_aggregates, reference)) {
          report(completion, quoted(op.name) + " subtask " + std::to_string(subtask) +
                                 " snapshotted state that is not the reference for the sources' offsets: " + *problem);
          return false;
        }
      }
    }
    return true;
  }

  bool check_sequence_checker(const std::vector<Capture>& captures, OperatorIndex index, const ObservedEvent& completion) {
    const TopologyOperator& op = context_.topology.op(index);
    if (context_.topology.expected_sequence_violations(index) != std::optional<std::uint64_t>(0)) return true;
    for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) {
      const std::uint64_t count = view_of(captures[op.first_subtask + subtask]).sequence_violations;
      if (count == 0) continue;
      report(completion, quoted(op.name) + " subtask " + std::to_string(subtask) + " snapshotted " +
                             std::to_string(count) + " sequence violations; every path to it keeps order");
      return false;
    }
    return true;
  }

  void check_sink_outputs(const std::vector<Capture>& captures, const ObservedEvent& completion, const InputPrefix& prefix);
  std::string explain_sink(const std::vector<Capture>& captures, OperatorIndex sink, const InputPrefix& prefix) const;

  const CutContext& context_;
  ViolationLog& log_;
  SubtaskLocator locator_;
  SinkCutTracker sinks_;
  std::vector<std::uint32_t> finished_;               // by dense subtask: last kTaskFinished position
  std::map<CheckpointId, std::vector<Capture>> captures_;  // by pending checkpoint, by dense subtask
  ReferenceExecution& reference_;
  bool check_sinks_;
  std::uint64_t skipped_ = 0;
};

void CutCheck::check_sink_outputs(const std::vector<Capture>& captures, const ObservedEvent& completion,
                                  const InputPrefix& prefix) {
  for (OperatorIndex sink : context_.topology.of_kind(OperatorKind::kSink)) {
    const TopologyOperator& op = context_.topology.op(sink);
    std::uint64_t digest = 0;
    std::uint64_t count = 0;
    for (std::uint32_t dense = op.first_subtask; dense < op.first_subtask + op.parallelism; ++dense) {
      const SinkCutPart& part = captures[dense].sink;
      if (part.unknown_pending.has_value()) {
        report(completion, quoted(op.name) + " subtask " + std::to_string(dense - op.first_subtask) +
                               " snapshotted pending transaction " + quoted(*part.unknown_pending) +
                               ", which the store never prepared");
        return;
      }
      digest += part.digest;
      count += part.count;
    }
    if (digest == reference_.sink_digest(sink) && count == reference_.sink_count(sink)) continue;
    report(completion, "sink " + quoted(op.name) + " holds " + std::to_string(count) +
                           " records in committed and pending transactions, the reference for the sources' offsets " +
                           std::to_string(reference_.sink_count(sink)) + "; " + explain_sink(captures, sink, prefix));
    return;
  }
}

std::string CutCheck::explain_sink(const std::vector<Capture>& captures, OperatorIndex sink,
                                   const InputPrefix& prefix) const {
  const TopologyOperator& op = context_.topology.op(sink);
  std::vector<Record> held;
  for (std::uint32_t dense = op.first_subtask; dense < op.first_subtask + op.parallelism; ++dense) {
    std::vector<Record> part = sinks_.records_of(captures[dense].position);
    held.insert(held.end(), part.begin(), part.end());
  }
  const std::vector<ExpectedOutput> actual = to_expected_outputs(held);
  const std::vector<ExpectedOutput> expected =
      compute_reference_prefix(context_.topology, context_.input, prefix).outputs[sink];
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < actual.size() && j < expected.size() && actual[i].identity == expected[j].identity &&
         actual[i].multiplicity == expected[j].multiplicity) {
    ++i;
    ++j;
  }
  const auto describe_pair = [](const OutputIdentity& identity, std::uint64_t held_copies, std::uint64_t want) {
    return "lineage " + describe(identity) + " held " + std::to_string(held_copies) + " times, expected " +
           std::to_string(want);
  };
  if (i == actual.size() && j == expected.size()) return "the records agree but the digest does not (a hash collision)";
  if (j == expected.size() || (i < actual.size() && actual[i].identity < expected[j].identity)) {
    return describe_pair(actual[i].identity, actual[i].multiplicity, 0);
  }
  if (i == actual.size() || expected[j].identity < actual[i].identity) {
    return describe_pair(expected[j].identity, 0, expected[j].multiplicity);
  }
  return describe_pair(actual[i].identity, actual[i].multiplicity, expected[j].multiplicity);
}

}  // namespace

void check_cuts(const OracleConfig& config, const JobTopology& topology, const sim::InputLog& input,
                const RunObservations& observations, ReferenceExecution& reference, ViolationLog& log) {
  if (config.job.checkpointing_mode != CheckpointingMode::kExactlyOnce) {
    log.add_note(kCutConsistent, "at-least-once checkpointing takes no consistent cuts");
    return;
  }
  const CutContext context{config, topology, input, observations};
  CutCheck(context, reference, log).run();
}

}  // namespace ckptsim::oracle
