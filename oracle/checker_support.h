// Helpers shared by the state and consistent-cut checkers: locating a reported state view
// in the topology and comparing a subtask's keyed state with the reference.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "oracle/job_topology.h"
#include "oracle/observations.h"
#include "oracle/reference_execution.h"
#include "protocol/runtime/observer.h"

namespace ckptsim::oracle {

std::string quoted(std::string_view name);

struct SubtaskAddress {
  OperatorIndex op = 0;
  std::uint32_t subtask_index = 0;
  std::uint32_t dense = 0;  // JobTopology numbering: first_subtask + subtask_index
};

// Maps views to subtasks by operator name and subtask index (never by TaskRef, whose
// numbering belongs to the runtime under test).
class SubtaskLocator {
 public:
  explicit SubtaskLocator(const JobTopology& topology);
  // nullopt: the operator is unknown, or the subtask index is out of range.
  std::optional<SubtaskAddress> locate(const OperatorStateView& view) const;
  // "'agg' subtask 1".
  std::string describe(const SubtaskAddress& address) const;

 private:
  const JobTopology& topology_;
  std::map<std::string, OperatorIndex, std::less<>> by_name_;
};

// The reference's keyed state of one aggregate, indexed for per-subtask comparison.
struct ReferenceKeyedState {
  const std::unordered_map<std::uint64_t, AggregateValue>* values = nullptr;
  std::vector<std::uint64_t> keys_owned;  // by subtask index
};

ReferenceKeyedState keyed_state_of(const ReferenceExecution& execution, const TopologyOperator& op,
                                   OperatorIndex index);

// Compares one subtask's keyed aggregate entries with the reference: every entry's key is
// owned by the subtask and has the reference value, and no owned key is missing. Returns
// a description of the first wrong entry in key order, else of the smallest missing key,
// or nullopt when they agree.
std::optional<std::string> diff_keyed_state(const TopologyOperator& op, std::uint32_t subtask_index,
                                            const std::vector<KeyedAggregateEntry>& entries,
                                            const ReferenceKeyedState& reference);

// Checks a source subtask's reported offsets: partitions ascending, each once, each owned
// by the subtask (partition % parallelism == subtask index), each offset within its
// partition. A partition it owns but does not list is at offset 0.
std::optional<std::string> validate_source_offsets(const TopologyOperator& op, std::uint32_t subtask_index,
                                                   const std::vector<std::pair<std::uint32_t, std::uint64_t>>& offsets,
                                                   const sim::InputLogSpec& input);

// The offset a validated view reports for `partition` (0 when not listed).
std::uint64_t source_offset(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& offsets, std::uint32_t partition);

// True when checkpointing is aligned exactly-once or no task was restored from a
// checkpoint: then restored state never counts a record twice and must match the reference.
bool state_is_exact(const JobSpec& job, const RunObservations& observations);

}  // namespace ckptsim::oracle
