// recovery.restored_state: what a task is restored with is what it snapshotted for that
// checkpoint (sources' offsets, keyed state, sequence-checker counts), and a task started
// without a checkpoint starts empty. Sinks are not compared: recover-and-commit may
// legitimately commit the pending transactions of a restored snapshot.
#include <map>
#include <string>
#include <utility>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"

namespace ckptsim::oracle {
namespace {

std::optional<std::string> diff_restored(const OperatorStateView& restored, const OperatorStateView& captured,
                                         OperatorKind kind, const sim::InputLogSpec& input) {
  switch (kind) {
    case OperatorKind::kSource:
      for (std::uint32_t partition = 0; partition < input.partitions; ++partition) {
        const std::uint64_t got = source_offset(restored.source_next_offsets, partition);
        const std::uint64_t want = source_offset(captured.source_next_offsets, partition);
        if (got != want) {
          return "partition " + std::to_string(partition) + " restored at offset " + std::to_string(got) +
                 ", snapshotted at " + std::to_string(want);
        }
      }
      return std::nullopt;
    case OperatorKind::kKeyedAggregate:
      if (restored.keyed_aggregates == captured.keyed_aggregates) return std::nullopt;
      return "restored " + std::to_string(restored.keyed_aggregates.size()) + " keys, snapshotted " +
             std::to_string(captured.keyed_aggregates.size()) + " (or different values)";
    case OperatorKind::kSequenceChecker:
      if (restored.sequence_violations == captured.sequence_violations) return std::nullopt;
      return "restored " + std::to_string(restored.sequence_violations) + " sequence violations, snapshotted " +
             std::to_string(captured.sequence_violations);
    case OperatorKind::kMap:
    case OperatorKind::kFilter:
    case OperatorKind::kSink:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> diff_empty(const OperatorStateView& restored, OperatorKind kind) {
  if (kind == OperatorKind::kSink) return std::nullopt;
  for (const auto& [partition, offset] : restored.source_next_offsets) {
    if (offset != 0) return "partition " + std::to_string(partition) + " starts at offset " + std::to_string(offset);
  }
  if (!restored.keyed_aggregates.empty()) return std::to_string(restored.keyed_aggregates.size()) + " keys";
  if (restored.sequence_violations != 0) return std::to_string(restored.sequence_violations) + " sequence violations";
  return std::nullopt;
}

}  // namespace

void check_restored_state(const JudgeContext& context, ViolationLog& log) {
  const RunObservations& observations = context.observations;
  const SubtaskLocator locator(context.topology);
  std::map<std::pair<CheckpointId, std::uint32_t>, std::uint32_t> captured;  // (id, dense) -> view
  std::uint64_t unmatched = 0;
  for (const ObservedEvent& event : observations.events) {
    if (event.kind != ObservedKind::kSnapshotCaptured && event.kind != ObservedKind::kTaskRestored) continue;
    const OperatorStateView& view = observations.views[event.view];
    const std::optional<SubtaskAddress> address = locator.locate(view);
    if (!address.has_value()) continue;  // reported by the cut and state checkers
    if (event.kind == ObservedKind::kSnapshotCaptured) {
      captured[{event.checkpoint_id, address->dense}] = event.view;
      continue;
    }
    const OperatorKind kind = context.topology.op(address->op).kind;
    std::optional<std::string> problem;
    if (event.checkpoint_id == kNoCheckpointId) {
      if (auto extra = diff_empty(view, kind)) problem = "started without a checkpoint but holds " + *extra;
    } else {
      auto it = captured.find({event.checkpoint_id, address->dense});
      if (it == captured.end()) {
        ++unmatched;
        continue;
      }
      problem = diff_restored(view, observations.views[it->second], kind, context.config.input);
    }
    log.count_checked(kRecoveryRestoredState);
    if (problem.has_value()) {
      log.report(kRecoveryRestoredState, event.time_ns, event.event_index,
                 locator.describe(*address) + " restored from checkpoint " + std::to_string(event.checkpoint_id) +
                     ": " + *problem);
    }
  }
  if (unmatched > 0) log.add_note(kRecoveryRestoredState, std::to_string(unmatched) + " restores had no snapshot to compare");
}

}  // namespace ckptsim::oracle
