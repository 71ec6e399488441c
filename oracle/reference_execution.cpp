#include "oracle/reference_execution.h"

#include <algorithm>
#include <utility>

#include "oracle/key_routing.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

// Two's-complement wrapping arithmetic: well defined for any operator parameters.
std::int64_t wrapping_mul_add(std::int64_t value, std::int64_t multiplier, std::int64_t addend) {
  const std::uint64_t product = static_cast<std::uint64_t>(value) * static_cast<std::uint64_t>(multiplier);
  return static_cast<std::int64_t>(product + static_cast<std::uint64_t>(addend));
}

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

InputPrefix InputPrefix::empty(const JobTopology& topology, const sim::InputLogSpec& input) {
  InputPrefix prefix;
  prefix.next_offsets.assign(topology.of_kind(OperatorKind::kSource).size(),
                             std::vector<std::uint64_t>(input.partitions, 0));
  return prefix;
}

InputPrefix InputPrefix::whole(const JobTopology& topology, const sim::InputLogSpec& input) {
  InputPrefix prefix;
  prefix.next_offsets.assign(topology.of_kind(OperatorKind::kSource).size(),
                             std::vector<std::uint64_t>(input.partitions, input.records_per_partition));
  return prefix;
}

bool InputPrefix::dominates(const InputPrefix& other) const {
  CKPT_ASSERT(next_offsets.size() == other.next_offsets.size(), "prefixes of the same job");
  for (std::size_t source = 0; source < next_offsets.size(); ++source) {
    CKPT_ASSERT(next_offsets[source].size() == other.next_offsets[source].size(), "prefixes of the same input");
    for (std::size_t partition = 0; partition < next_offsets[source].size(); ++partition) {
      if (next_offsets[source][partition] < other.next_offsets[source][partition]) return false;
    }
  }
  return true;
}

ReferenceExecution::ReferenceExecution(const JobTopology& topology, const sim::InputLog& input,
                                       bool keep_sink_records)
    : topology_(&topology),
      input_(&input),
      keep_sink_records_(keep_sink_records),
      sources_(topology.of_kind(OperatorKind::kSource)),
      position_(InputPrefix::empty(topology, input.spec())),
      states_(topology.operators().size()) {
  for (OperatorIndex index = 0; index < states_.size(); ++index) {
    const TopologyOperator& op = topology.op(index);
    if (op.kind == OperatorKind::kKeyedAggregate) states_[index].keys_per_subtask.assign(op.parallelism, 0);
    if (op.kind == OperatorKind::kSink) states_[index].sink_hash = sink_name_hash(op.name);
  }
}

void ReferenceExecution::advance_to(const InputPrefix& prefix) {
  CKPT_ASSERT(prefix.dominates(position_), "the reference only moves forward");
  for (std::size_t source = 0; source < sources_.size(); ++source) {
    for (std::uint32_t partition = 0; partition < prefix.next_offsets[source].size(); ++partition) {
      CKPT_ASSERT(prefix.next_offsets[source][partition] <= input_->partition_length(partition),
                  "a prefix ends inside its partition");
      read_source(source, partition, prefix.next_offsets[source][partition]);
    }
  }
  CKPT_ASSERT(position_ == prefix, "the reference reached the prefix");
}

void ReferenceExecution::run_to_end() { advance_to(InputPrefix::whole(*topology_, input_->spec())); }

void ReferenceExecution::read_source(std::size_t source_ordinal, std::uint32_t partition, std::uint64_t end_offset) {
  std::uint64_t& next = position_.next_offsets[source_ordinal][partition];
  for (; next < end_offset; ++next) push(sources_[source_ordinal], input_->read(partition, next));
}

void ReferenceExecution::push(OperatorIndex index, Record record) {
  const TopologyOperator& op = topology_->op(index);
  OperatorState& state = states_[index];
  switch (op.kind) {
    case OperatorKind::kSource:
    case OperatorKind::kSequenceChecker:
      break;
    case OperatorKind::kMap:
      record.value = wrapping_mul_add(record.value, op.params.map_multiplier, op.params.map_addend);
      break;
    case OperatorKind::kFilter:
      if (op.params.filter_modulus > 0 && record.value % op.params.filter_modulus == 0) return;
      break;
    case OperatorKind::kKeyedAggregate: {
      auto [it, inserted] = state.aggregates.try_emplace(record.key);
      if (inserted) ++state.keys_per_subtask[oracle_owner_subtask(record.key, op.max_parallelism, op.parallelism)];
      it->second.count += 1;
      it->second.sum = wrapping_add(it->second.sum, record.value);
      record.agg_count = it->second.count;
      record.agg_sum = it->second.sum;
      break;
    }
    case OperatorKind::kSink:
      ++state.sink_count;
      state.sink_digest += identity_hash(state.sink_hash, identity_of(record));
      if (keep_sink_records_) state.sink_records.push_back(record);
      return;
  }
  deliver(op, record);
}

void ReferenceExecution::deliver(const TopologyOperator& from, const Record& record) {
  for (std::uint32_t edge_index : from.outputs) {
    const TopologyEdge& edge = topology_->edges()[edge_index];
    // Broadcast reaches every consumer subtask; every other partitioning exactly one.
    const std::uint32_t copies =
        edge.partitioning == Partitioning::kBroadcast ? topology_->op(edge.to).parallelism : 1;
    for (std::uint32_t copy = 0; copy < copies; ++copy) push(edge.to, record);
  }
}

const std::vector<Record>& ReferenceExecution::sink_records(OperatorIndex sink) const {
  CKPT_ASSERT(keep_sink_records_, "sink records are kept only on request");
  CKPT_ASSERT(topology_->op(sink).kind == OperatorKind::kSink, "sink_records takes a sink");
  return states_[sink].sink_records;
}

std::uint64_t ReferenceExecution::sink_count(OperatorIndex sink) const {
  CKPT_ASSERT(topology_->op(sink).kind == OperatorKind::kSink, "sink_count takes a sink");
  return states_[sink].sink_count;
}

std::uint64_t ReferenceExecution::sink_digest(OperatorIndex sink) const {
  CKPT_ASSERT(topology_->op(sink).kind == OperatorKind::kSink, "sink_digest takes a sink");
  return states_[sink].sink_digest;
}

const std::unordered_map<std::uint64_t, AggregateValue>& ReferenceExecution::aggregate_state(
    OperatorIndex aggregate) const {
  CKPT_ASSERT(topology_->op(aggregate).kind == OperatorKind::kKeyedAggregate, "aggregate_state takes an aggregate");
  return states_[aggregate].aggregates;
}

std::uint64_t ReferenceExecution::aggregate_keys_owned(OperatorIndex aggregate, std::uint32_t subtask_index) const {
  CKPT_ASSERT(topology_->op(aggregate).kind == OperatorKind::kKeyedAggregate, "aggregate_keys_owned takes an aggregate");
  CKPT_ASSERT(subtask_index < states_[aggregate].keys_per_subtask.size(), "subtask index out of range");
  return states_[aggregate].keys_per_subtask[subtask_index];
}

std::vector<ExpectedOutput> to_expected_outputs(const std::vector<Record>& records) {
  std::vector<OutputIdentity> identities;
  identities.reserve(records.size());
  for (const Record& record : records) identities.push_back(identity_of(record));
  std::sort(identities.begin(), identities.end());
  std::vector<ExpectedOutput> outputs;
  for (const OutputIdentity& identity : identities) {
    if (!outputs.empty() && outputs.back().identity == identity) {
      ++outputs.back().multiplicity;
    } else {
      outputs.push_back(ExpectedOutput{identity, 1});
    }
  }
  return outputs;
}

ReferenceResult compute_reference_prefix(const JobTopology& topology, const sim::InputLog& input,
                                         const InputPrefix& prefix) {
  ReferenceExecution execution(topology, input, /*keep_sink_records=*/true);
  execution.advance_to(prefix);
  return summarize(topology, execution);
}

ReferenceResult summarize(const JobTopology& topology, const ReferenceExecution& execution) {
  const std::size_t operator_count = topology.operators().size();
  ReferenceResult result;
  result.outputs.resize(operator_count);
  result.output_counts.assign(operator_count, 0);
  result.output_digests.assign(operator_count, 0);
  result.aggregates.resize(operator_count);
  result.sequence_violations.resize(operator_count);
  for (OperatorIndex index = 0; index < operator_count; ++index) {
    switch (topology.op(index).kind) {
      case OperatorKind::kSink:
        if (execution.keeps_sink_records()) result.outputs[index] = to_expected_outputs(execution.sink_records(index));
        result.output_counts[index] = execution.sink_count(index);
        result.output_digests[index] = execution.sink_digest(index);
        result.output_digest += execution.sink_digest(index);
        break;
      case OperatorKind::kKeyedAggregate:
        for (const auto& [key, value] : execution.aggregate_state(index)) {
          result.aggregates[index].push_back(KeyedAggregateEntry{key, value.count, value.sum});
        }
        std::sort(result.aggregates[index].begin(), result.aggregates[index].end(),
                  [](const KeyedAggregateEntry& a, const KeyedAggregateEntry& b) { return a.key < b.key; });
        break;
      case OperatorKind::kSequenceChecker:
        result.sequence_violations[index] = topology.expected_sequence_violations(index);
        break;
      case OperatorKind::kSource:
      case OperatorKind::kMap:
      case OperatorKind::kFilter:
        break;
    }
  }
  return result;
}

ReferenceResult compute_reference(const JobTopology& topology, const sim::InputLog& input) {
  return compute_reference_prefix(topology, input, InputPrefix::whole(topology, input.spec()));
}

}  // namespace ckptsim::oracle
