// The oracle's reference: a failure-free, sequential execution of a job on its input,
// written from the operator semantics in protocol/runtime/job_spec.h and sharing no code
// with the runtime that is being judged.
//
// ReferenceExecution pushes every source record through the graph, one copy per
// downstream subtask it would reach (broadcast multiplies, filter drops), and keeps:
//   * per sink: the records that reach it (optional), their count and their digest
//     (wrapping sum of identity_hash, see output_identity.h);
//   * per keyed aggregate: key -> (count, sum), and how many keys each subtask owns.
// Rebalance's round-robin choice is not modelled: no compared quantity depends on it
// (keyed operators only have hash inputs, so keyed state is per (operator, key)).
// The sequence checker's count is not simulated either: JobTopology says when it must be
// 0, and otherwise it depends on the run's interleaving.
//
// It is incremental: advance_to(prefix) consumes the input up to a prefix that dominates
// the current position, so the consistent-cut checker walks completed checkpoints in
// order with a single pass over the input. Within a prefix, records are processed per
// source, per partition, in offset order; every compared quantity is independent of that
// choice.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "oracle/job_topology.h"
#include "oracle/output_identity.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/record.h"
#include "sim/external/input_log.h"

namespace ckptsim::oracle {

struct AggregateValue {
  std::uint64_t count = 0;
  std::int64_t sum = 0;
  friend bool operator==(const AggregateValue&, const AggregateValue&) = default;
};

// How far each source operator has read: next_offsets[source ordinal][partition], the
// source ordinal being the position in JobTopology::of_kind(kSource).
struct InputPrefix {
  std::vector<std::vector<std::uint64_t>> next_offsets;

  static InputPrefix empty(const JobTopology& topology, const sim::InputLogSpec& input);
  static InputPrefix whole(const JobTopology& topology, const sim::InputLogSpec& input);
  // Every offset here is >= the matching offset in `other` (same shape asserted).
  bool dominates(const InputPrefix& other) const;
  friend bool operator==(const InputPrefix&, const InputPrefix&) = default;
};

// One distinct output identity and how often a correct run commits it.
struct ExpectedOutput {
  OutputIdentity identity;
  std::uint64_t multiplicity = 0;
};

class ReferenceExecution {
 public:
  ReferenceExecution(const JobTopology& topology, const sim::InputLog& input, bool keep_sink_records);

  // Consumes input until position() == prefix. Precondition: prefix.dominates(position()).
  void advance_to(const InputPrefix& prefix);
  void run_to_end();
  const InputPrefix& position() const { return position_; }

  bool keeps_sink_records() const { return keep_sink_records_; }
  // Records that reached `sink`, in processing order (only with keep_sink_records).
  const std::vector<Record>& sink_records(OperatorIndex sink) const;
  std::uint64_t sink_count(OperatorIndex sink) const;
  std::uint64_t sink_digest(OperatorIndex sink) const;

  const std::unordered_map<std::uint64_t, AggregateValue>& aggregate_state(OperatorIndex aggregate) const;
  // Number of keys in aggregate_state() whose owner is `subtask_index`.
  std::uint64_t aggregate_keys_owned(OperatorIndex aggregate, std::uint32_t subtask_index) const;

 private:
  struct OperatorState {
    std::unordered_map<std::uint64_t, AggregateValue> aggregates;
    std::vector<std::uint64_t> keys_per_subtask;
    std::vector<Record> sink_records;
    std::uint64_t sink_count = 0;
    std::uint64_t sink_digest = 0;
    std::uint64_t sink_hash = 0;
  };

  void push(OperatorIndex index, Record record);
  void deliver(const TopologyOperator& from, const Record& record);
  void read_source(std::size_t source_ordinal, std::uint32_t partition, std::uint64_t end_offset);

  const JobTopology* topology_;
  const sim::InputLog* input_;
  bool keep_sink_records_;
  std::vector<OperatorIndex> sources_;
  InputPrefix position_;
  std::vector<OperatorState> states_;  // by operator index
};

// Everything a full (or prefix) reference run yields, in deterministic order.
struct ReferenceResult {
  // By operator; sinks only; sorted by identity. Empty unless the execution kept its sink
  // records: the checkers compare digests first and ask for the records only on a mismatch.
  std::vector<std::vector<ExpectedOutput>> outputs;
  std::vector<std::uint64_t> output_counts;                  // by operator; sinks only; with multiplicity
  std::vector<std::uint64_t> output_digests;                 // by operator; sinks only
  std::vector<std::vector<KeyedAggregateEntry>> aggregates;  // by operator; keyed aggregates only; by key
  std::vector<std::optional<std::uint64_t>> sequence_violations;  // by operator; checkers only
  std::uint64_t output_digest = 0;                           // over every sink, with multiplicity
};

// The result of an execution at its current position.
ReferenceResult summarize(const JobTopology& topology, const ReferenceExecution& execution);
ReferenceResult compute_reference(const JobTopology& topology, const sim::InputLog& input);
// The reference state after consuming exactly `prefix` (the consistent-cut yardstick).
ReferenceResult compute_reference_prefix(const JobTopology& topology, const sim::InputLog& input,
                                         const InputPrefix& prefix);

// Sorts identities and merges equal ones into multiplicities.
std::vector<ExpectedOutput> to_expected_outputs(const std::vector<Record>& records);

}  // namespace ckptsim::oracle
