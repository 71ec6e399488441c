// state.final: the state every task ended with equals the reference — sources at the end
// of their partitions, keyed aggregates equal to the reference per key (each key in the
// subtask that owns it), sequence checkers with the expected number of violations.
#include <string>
#include <vector>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

class FinalStateCheck {
 public:
  FinalStateCheck(const JudgeContext& context, ViolationLog& log, RunPoint finish)
      : context_(context), log_(log), finish_(finish), locator_(context.topology),
        final_event_(context.topology.subtask_count(), kNoIndex) {}

  void run() {
    collect_final_events();
    for (OperatorIndex index = 0; index < context_.topology.operators().size(); ++index) {
      const TopologyOperator& op = context_.topology.op(index);
      switch (op.kind) {
        case OperatorKind::kSource:
        case OperatorKind::kKeyedAggregate:
          for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) check_subtask(index, subtask);
          break;
        case OperatorKind::kSequenceChecker:
          check_sequence_checker(index);
          break;
        case OperatorKind::kMap:
        case OperatorKind::kFilter:
        case OperatorKind::kSink:
          break;
      }
    }
  }

 private:
  void collect_final_events() {
    const RunObservations& observations = context_.observations;
    for (std::uint32_t i = 0; i < observations.events.size(); ++i) {
      const ObservedEvent& event = observations.events[i];
      if (event.kind != ObservedKind::kTaskFinished) continue;
      const OperatorStateView& view = observations.views[event.view];
      const std::optional<SubtaskAddress> address = locator_.locate(view);
      if (!address.has_value()) {
        log_.report(kStateFinal, event.time_ns, event.event_index,
                    "a task of " + quoted(view.operator_name) + " subtask " + std::to_string(view.subtask_index) +
                        " finished, which the job does not have");
        continue;
      }
      final_event_[address->dense] = i;  // the last report wins: a later attempt finished again
    }
  }

  // The final view of a subtask, or nullptr after reporting that it is missing.
  const ObservedEvent* final_event(OperatorIndex index, std::uint32_t subtask) {
    const std::uint32_t event = final_event_[context_.topology.op(index).first_subtask + subtask];
    if (event != kNoIndex) return &context_.observations.events[event];
    log_.report(kStateFinal, finish_.time_ns, finish_.event_index,
                quoted(context_.topology.op(index).name) + " subtask " + std::to_string(subtask) +
                    " never reported its final state, yet the job finished");
    return nullptr;
  }

  void check_subtask(OperatorIndex index, std::uint32_t subtask) {
    const ObservedEvent* event = final_event(index, subtask);
    if (event == nullptr) return;
    const TopologyOperator& op = context_.topology.op(index);
    const OperatorStateView& view = context_.observations.views[event->view];
    std::optional<std::string> problem;
    if (op.kind == OperatorKind::kSource) {
      problem = source_problem(op, subtask, view);
      log_.count_checked(kStateFinal);
    } else {
      if (!keyed_.contains(index)) keyed_.emplace(index, keyed_state_of(context_.reference_execution, op, index));
      problem = diff_keyed_state(op, subtask, view.keyed_aggregates, keyed_.at(index));
      log_.count_checked(kStateFinal, view.keyed_aggregates.size());
    }
    if (problem.has_value()) {
      log_.report(kStateFinal, event->time_ns, event->event_index,
                  quoted(op.name) + " subtask " + std::to_string(subtask) + " finished with wrong state: " + *problem);
    }
  }

  std::optional<std::string> source_problem(const TopologyOperator& op, std::uint32_t subtask,
                                            const OperatorStateView& view) const {
    const sim::InputLogSpec& input = context_.config.input;
    if (auto invalid = validate_source_offsets(op, subtask, view.source_next_offsets, input)) return invalid;
    for (std::uint32_t partition = subtask; partition < input.partitions; partition += op.parallelism) {
      const std::uint64_t offset = source_offset(view.source_next_offsets, partition);
      if (offset != input.records_per_partition) {
        return "partition " + std::to_string(partition) + " ended at offset " + std::to_string(offset) + " of " +
               std::to_string(input.records_per_partition);
      }
    }
    return std::nullopt;
  }

  void check_sequence_checker(OperatorIndex index) {
    const TopologyOperator& op = context_.topology.op(index);
    const std::optional<std::uint64_t> expected = context_.reference.sequence_violations[index];
    if (!expected.has_value()) {
      log_.add_note(kStateFinal, "sequence checker " + quoted(op.name) + ": count depends on interleaving, not checked");
      return;
    }
    std::uint64_t total = 0;
    const ObservedEvent* last = nullptr;
    for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) {
      const ObservedEvent* event = final_event(index, subtask);
      if (event == nullptr) return;
      total += context_.observations.views[event->view].sequence_violations;
      if (last == nullptr || event->event_index > last->event_index) last = event;
    }
    log_.count_checked(kStateFinal);
    if (total == *expected) return;
    log_.report(kStateFinal, last->time_ns, last->event_index,
                "sequence checker " + quoted(op.name) + " ended with " + std::to_string(total) +
                    " violations, expected " + std::to_string(*expected));
  }

  const JudgeContext& context_;
  ViolationLog& log_;
  RunPoint finish_;
  SubtaskLocator locator_;
  std::vector<std::uint32_t> final_event_;  // by dense subtask: index into events
  std::map<OperatorIndex, ReferenceKeyedState> keyed_;
};

}  // namespace

void check_final_state(const JudgeContext& context, ViolationLog& log) {
  if (!state_is_exact(context.config.job, context.observations)) {
    log.add_note(kStateFinal, "at-least-once checkpointing restored from a checkpoint: state may count twice");
    return;
  }
  const std::optional<RunPoint> finish = job_finish(context.observations);
  if (!finish.has_value()) {
    log.add_note(kStateFinal, "the job did not finish");
    return;
  }
  FinalStateCheck(context, log, *finish).run();
}

}  // namespace ckptsim::oracle
