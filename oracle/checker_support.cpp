#include "oracle/checker_support.h"

#include <algorithm>

#include "oracle/key_routing.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

std::string describe_value(std::uint64_t count, std::int64_t sum) {
  return "(count " + std::to_string(count) + ", sum " + std::to_string(sum) + ")";
}

// The smallest key the subtask owns in the reference but does not hold.
std::uint64_t smallest_missing_key(const TopologyOperator& op, std::uint32_t subtask_index,
                                   const std::vector<KeyedAggregateEntry>& entries,
                                   const ReferenceKeyedState& reference) {
  bool found = false;
  std::uint64_t smallest = 0;
  // Iteration order does not matter: the minimum is the same for every order.
  for (const auto& [key, value] : *reference.values) {
    if (oracle_owner_subtask(key, op.max_parallelism, op.parallelism) != subtask_index) continue;
    const bool held = std::binary_search(entries.begin(), entries.end(), KeyedAggregateEntry{key, 0, 0},
                                         [](const KeyedAggregateEntry& a, const KeyedAggregateEntry& b) { return a.key < b.key; });
    if (!held && (!found || key < smallest)) {
      smallest = key;
      found = true;
    }
  }
  CKPT_ASSERT(found, "a subtask holding fewer keys than it owns misses one");
  return smallest;
}

}  // namespace

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

SubtaskLocator::SubtaskLocator(const JobTopology& topology) : topology_(topology) {
  for (OperatorIndex index = 0; index < topology.operators().size(); ++index) {
    by_name_.emplace(topology.op(index).name, index);
  }
}

std::optional<SubtaskAddress> SubtaskLocator::locate(const OperatorStateView& view) const {
  auto it = by_name_.find(view.operator_name);
  if (it == by_name_.end()) return std::nullopt;
  const TopologyOperator& op = topology_.op(it->second);
  if (view.subtask_index >= op.parallelism) return std::nullopt;
  return SubtaskAddress{it->second, view.subtask_index, op.first_subtask + view.subtask_index};
}

std::string SubtaskLocator::describe(const SubtaskAddress& address) const {
  return quoted(topology_.op(address.op).name) + " subtask " + std::to_string(address.subtask_index);
}

ReferenceKeyedState keyed_state_of(const ReferenceExecution& execution, const TopologyOperator& op,
                                   OperatorIndex index) {
  ReferenceKeyedState state;
  state.values = &execution.aggregate_state(index);
  for (std::uint32_t subtask = 0; subtask < op.parallelism; ++subtask) {
    state.keys_owned.push_back(execution.aggregate_keys_owned(index, subtask));
  }
  return state;
}

std::optional<std::string> diff_keyed_state(const TopologyOperator& op, std::uint32_t subtask_index,
                                            const std::vector<KeyedAggregateEntry>& entries,
                                            const ReferenceKeyedState& reference) {
  CKPT_ASSERT(reference.values != nullptr, "a reference keyed state has values");
  CKPT_ASSERT(subtask_index < reference.keys_owned.size(), "subtask index out of range");
  std::optional<std::uint64_t> previous_key;
  for (const KeyedAggregateEntry& entry : entries) {
    if (previous_key.has_value() && entry.key <= *previous_key) {
      return "entries are not sorted by key with each key once (key " + std::to_string(entry.key) + ")";
    }
    previous_key = entry.key;
    const std::uint32_t owner = oracle_owner_subtask(entry.key, op.max_parallelism, op.parallelism);
    if (owner != subtask_index) {
      return "holds key " + std::to_string(entry.key) + ", whose key group belongs to subtask " + std::to_string(owner);
    }
    auto it = reference.values->find(entry.key);
    if (it == reference.values->end()) {
      return "key " + std::to_string(entry.key) + " is " + describe_value(entry.count, entry.sum) +
             ", the reference has no such key";
    }
    if (it->second.count != entry.count || it->second.sum != entry.sum) {
      return "key " + std::to_string(entry.key) + " is " + describe_value(entry.count, entry.sum) + ", reference " +
             describe_value(it->second.count, it->second.sum);
    }
  }
  if (entries.size() == reference.keys_owned[subtask_index]) return std::nullopt;
  CKPT_ASSERT(entries.size() < reference.keys_owned[subtask_index], "every held key matched an owned reference key");
  const std::uint64_t missing = smallest_missing_key(op, subtask_index, entries, reference);
  const AggregateValue& value = reference.values->at(missing);
  return "key " + std::to_string(missing) + " is missing, reference " + describe_value(value.count, value.sum);
}

std::optional<std::string> validate_source_offsets(const TopologyOperator& op, std::uint32_t subtask_index,
                                                   const std::vector<std::pair<std::uint32_t, std::uint64_t>>& offsets,
                                                   const sim::InputLogSpec& input) {
  std::optional<std::uint32_t> previous;
  for (const auto& [partition, offset] : offsets) {
    const std::string where = "partition " + std::to_string(partition);
    if (previous.has_value() && partition <= *previous) return where + " is listed out of order or twice";
    previous = partition;
    if (partition >= input.partitions) return where + " does not exist";
    if (partition % op.parallelism != subtask_index) {
      return where + " belongs to subtask " + std::to_string(partition % op.parallelism);
    }
    if (offset > input.records_per_partition) {
      return where + " is at offset " + std::to_string(offset) + ", beyond its " +
             std::to_string(input.records_per_partition) + " records";
    }
  }
  return std::nullopt;
}

std::uint64_t source_offset(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& offsets, std::uint32_t partition) {
  for (const auto& [listed, offset] : offsets) {
    if (listed == partition) return offset;
  }
  return 0;
}

bool state_is_exact(const JobSpec& job, const RunObservations& observations) {
  if (job.checkpointing_mode == CheckpointingMode::kExactlyOnce || !job.checkpointing_enabled) return true;
  for (const ObservedEvent& event : observations.events) {
    const bool restore = event.kind == ObservedKind::kJobRestore || event.kind == ObservedKind::kTaskRestored;
    if (restore && event.checkpoint_id != kNoCheckpointId) return false;
  }
  return true;
}

}  // namespace ckptsim::oracle
