// JobTopology: the oracle's read-only picture of a job — its operators in topological
// order with their parameters, its edges, and what every path from the sources does to
// the records that reach each operator.
//
// Contract:
//  * Built from a JobSpec that JobGraphBuilder accepts (asserted: the oracle judges runs of
//    valid jobs only) and that has no iteration edges (the reference cannot model feedback).
//  * Operator indices are positions in JobGraph's topological order; edge indices are the
//    order edges were added. Subtasks are numbered densely: operator, then subtask index.
//  * The path analysis is conservative: a property that depends on it (output order, the
//    agg_count sequence, the sequence checker's expected count) is only checked where the
//    analysis proves what a correct run must produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/graph/job_graph.h"
#include "protocol/runtime/job_spec.h"

namespace ckptsim::oracle {

using OperatorIndex = std::uint32_t;

struct TopologyOperator {
  std::string name;
  OperatorKind kind = OperatorKind::kMap;
  std::uint32_t parallelism = 1;
  std::uint32_t max_parallelism = 1;  // resolved by the oracle itself
  OperatorParams params;
  std::vector<std::uint32_t> inputs;   // edge indices, ascending
  std::vector<std::uint32_t> outputs;  // edge indices, ascending
  std::uint32_t first_subtask = 0;     // dense subtask number of subtask index 0
};

struct TopologyEdge {
  OperatorIndex from = 0;
  OperatorIndex to = 0;
  Partitioning partitioning = Partitioning::kForward;
};

// What the paths from every source to an operator's input do to one source record.
struct PathSummary {
  std::uint64_t copies = 0;        // copies arriving, ignoring filters (saturates at 2^32)
  bool through_rebalance = false;  // a path crosses a rebalance edge: order may change
  bool through_filter = false;     // a path crosses a filter: paths may carry different records
};

class JobTopology {
 public:
  static JobTopology from_spec(const JobSpec& spec);

  const std::vector<TopologyOperator>& operators() const { return operators_; }
  const TopologyOperator& op(OperatorIndex index) const;
  const std::vector<TopologyEdge>& edges() const { return edges_; }
  std::optional<OperatorIndex> find(std::string_view name) const;
  // Operators of one kind, in topological order.
  std::vector<OperatorIndex> of_kind(OperatorKind kind) const;
  std::uint32_t subtask_count() const { return subtask_count_; }
  const PathSummary& arriving(OperatorIndex index) const;

  // The keyed aggregate whose outputs reach `sink` exactly once each, through maps,
  // sequence checkers and forward/hash/rebalance edges only; then the committed agg_count
  // values of a key must be exactly 1..n. nullopt when no such single aggregate exists.
  std::optional<OperatorIndex> counting_aggregate_for(OperatorIndex sink) const;
  // True when the records of one (source partition, key) reach each subtask of `sink`
  // along FIFO paths only (no rebalance), each path carrying every such record: then the
  // k-th copies of their offsets must be committed in increasing offset order.
  bool order_checkable(OperatorIndex sink) const;
  // 0 when every record reaches `checker` once along a FIFO path; nullopt when the count
  // depends on the run's interleaving.
  std::optional<std::uint64_t> expected_sequence_violations(OperatorIndex checker) const;

 private:
  void analyse_paths();

  std::vector<TopologyOperator> operators_;
  std::vector<TopologyEdge> edges_;
  std::vector<PathSummary> arriving_;
  std::uint32_t subtask_count_ = 0;
};

}  // namespace ckptsim::oracle
