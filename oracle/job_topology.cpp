#include "oracle/job_topology.h"

#include <algorithm>
#include <utility>

#include "oracle/key_routing.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

constexpr std::uint64_t kCopiesCap = std::uint64_t{1} << 32;

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return std::min(kCopiesCap, a + b); }

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  // Both factors are at most 2^32, so the product fits in 64 bits before the cap.
  return std::min(kCopiesCap, a * b);
}

JobGraph build_graph(const JobSpec& spec) {
  JobGraphBuilder builder;
  for (const OperatorSpec& op : spec.operators) builder.add_operator(op);
  for (const EdgeSpec& edge : spec.edges) builder.add_edge(edge);
  Result<JobGraph> graph = builder.build();
  CKPT_ASSERT(graph.is_ok(), "the oracle judges valid jobs only");
  return std::move(graph).value();
}

}  // namespace

JobTopology JobTopology::from_spec(const JobSpec& spec) {
  const JobGraph graph = build_graph(spec);
  JobTopology topology;
  for (const JobVertex& vertex : graph.vertices()) {
    TopologyOperator op;
    op.name = vertex.name;
    op.kind = vertex.kind;
    op.parallelism = vertex.parallelism;
    const auto spec_it = std::find_if(spec.operators.begin(), spec.operators.end(),
                                      [&](const OperatorSpec& s) { return s.name == vertex.name; });
    CKPT_ASSERT(spec_it != spec.operators.end(), "every vertex comes from an operator spec");
    op.max_parallelism = oracle_resolved_max_parallelism(spec_it->parallelism, spec_it->max_parallelism);
    op.params = spec.params_of(vertex.name);
    op.inputs.assign(vertex.inputs.begin(), vertex.inputs.end());
    op.outputs.assign(vertex.outputs.begin(), vertex.outputs.end());
    op.first_subtask = topology.subtask_count_;
    topology.subtask_count_ += op.parallelism;
    topology.operators_.push_back(std::move(op));
  }
  for (const JobEdge& edge : graph.edges()) {
    CKPT_ASSERT(!edge.iteration, "the oracle's reference execution does not model iteration edges");
    topology.edges_.push_back(TopologyEdge{edge.from, edge.to, edge.partitioning});
  }
  topology.analyse_paths();
  return topology;
}

void JobTopology::analyse_paths() {
  arriving_.assign(operators_.size(), PathSummary{});
  for (OperatorIndex index = 0; index < operators_.size(); ++index) {
    const TopologyOperator& op = operators_[index];
    PathSummary& here = arriving_[index];
    if (op.kind == OperatorKind::kSource) here.copies = 1;
    for (std::uint32_t edge_index : op.inputs) {
      const TopologyEdge& edge = edges_[edge_index];
      CKPT_ASSERT(edge.from < index, "inputs come earlier in topological order");
      const PathSummary& upstream = arriving_[edge.from];
      const std::uint64_t fan_out = edge.partitioning == Partitioning::kBroadcast ? op.parallelism : 1;
      here.copies = saturating_add(here.copies, saturating_mul(upstream.copies, fan_out));
      here.through_rebalance = here.through_rebalance || upstream.through_rebalance ||
                               edge.partitioning == Partitioning::kRebalance;
      here.through_filter = here.through_filter || upstream.through_filter ||
                            operators_[edge.from].kind == OperatorKind::kFilter;
    }
  }
}

const TopologyOperator& JobTopology::op(OperatorIndex index) const {
  CKPT_ASSERT(index < operators_.size(), "operator index out of range");
  return operators_[index];
}

std::optional<OperatorIndex> JobTopology::find(std::string_view name) const {
  for (OperatorIndex index = 0; index < operators_.size(); ++index) {
    if (operators_[index].name == name) return index;
  }
  return std::nullopt;
}

std::vector<OperatorIndex> JobTopology::of_kind(OperatorKind kind) const {
  std::vector<OperatorIndex> result;
  for (OperatorIndex index = 0; index < operators_.size(); ++index) {
    if (operators_[index].kind == kind) result.push_back(index);
  }
  return result;
}

const PathSummary& JobTopology::arriving(OperatorIndex index) const {
  CKPT_ASSERT(index < arriving_.size(), "operator index out of range");
  return arriving_[index];
}

std::optional<OperatorIndex> JobTopology::counting_aggregate_for(OperatorIndex sink) const {
  CKPT_ASSERT(op(sink).kind == OperatorKind::kSink, "counting_aggregate_for takes a sink");
  OperatorIndex current = sink;
  // Each step moves to an earlier operator, so the walk ends within operators_.size() steps.
  for (std::size_t step = 0; step < operators_.size(); ++step) {
    const TopologyOperator& here = operators_[current];
    if (here.inputs.size() != 1) return std::nullopt;
    const TopologyEdge& edge = edges_[here.inputs.front()];
    if (edge.partitioning == Partitioning::kBroadcast) return std::nullopt;
    switch (operators_[edge.from].kind) {
      case OperatorKind::kKeyedAggregate:
        return edge.from;
      case OperatorKind::kMap:
      case OperatorKind::kSequenceChecker:
        current = edge.from;
        break;
      case OperatorKind::kSource:
      case OperatorKind::kFilter:
      case OperatorKind::kSink:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

bool JobTopology::order_checkable(OperatorIndex sink) const {
  const PathSummary& paths = arriving(sink);
  return !paths.through_rebalance && (paths.copies == 1 || !paths.through_filter);
}

std::optional<std::uint64_t> JobTopology::expected_sequence_violations(OperatorIndex checker) const {
  CKPT_ASSERT(op(checker).kind == OperatorKind::kSequenceChecker, "expected_sequence_violations takes a checker");
  const PathSummary& paths = arriving(checker);
  if (paths.copies == 1 && !paths.through_rebalance) return 0;
  return std::nullopt;
}

}  // namespace ckptsim::oracle
