// The logical job graph: operators (vertices) with a parallelism, connected by edges
// that say how records are partitioned between the operators' subtasks.
//
// A JobGraph is only obtained from JobGraphBuilder::build(), which validates the user's
// description and returns a Status naming the offending operator or edge otherwise.
// A JobGraph is immutable and holds these invariants:
//   1. Operator names are unique and non-empty.
//   2. 1 <= parallelism <= max_parallelism <= kMaxParallelismUpperBound for every
//      operator; max_parallelism is resolved (never 0).
//   3. Every edge names existing operators; a forward edge joins equal parallelisms.
//   4. Sources have no inputs, sinks have no outputs, every other operator has at least
//      one input; there is at least one source and one sink.
//   5. Every input of a keyed operator (keyed aggregate, sequence checker) is
//      hash-partitioned by key.
//   6. With more than one operator, the graph is weakly connected.
//   7. Every cycle contains an iteration edge, and every iteration edge closes a cycle
//      (its target reaches its source along non-iteration edges).
//   8. vertices() is a topological order of the non-iteration edges, ties broken by the
//      order in which operators were added; OperatorId is the position in that order.
//      EdgeId is the position in the order edges were added.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/status.h"

namespace ckptsim {

enum class OperatorKind { kSource, kMap, kFilter, kKeyedAggregate, kSequenceChecker, kSink };

// "source", "map", "filter", "keyed aggregate", "sequence checker", "sink".
const char* operator_kind_name(OperatorKind kind);
// Keyed operators hold keyed state partitioned into key groups.
bool is_keyed(OperatorKind kind);

enum class Partitioning { kForward, kHashByKey, kRebalance, kBroadcast };

// "forward", "hash", "rebalance", "broadcast".
const char* partitioning_name(Partitioning partitioning);
// Forward connects subtask i to subtask i; every other partitioning is all-to-all.
bool is_all_to_all(Partitioning partitioning);

// What the user asks for. max_parallelism 0 means Flink's default for the parallelism.
struct OperatorSpec {
  std::string name;
  OperatorKind kind = OperatorKind::kMap;
  std::uint32_t parallelism = 1;
  std::uint32_t max_parallelism = 0;
};

// An edge between two operators named by their OperatorSpec::name. An iteration edge
// is a feedback edge: it is the only kind allowed to close a cycle.
struct EdgeSpec {
  std::string from;
  std::string to;
  Partitioning partitioning = Partitioning::kForward;
  bool iteration = false;
};

using OperatorId = std::uint32_t;  // dense; position in the topological order
using EdgeId = std::uint32_t;      // dense; position in the order edges were added

// Bounds on the size of a job graph (validated, not asserted).
inline constexpr std::uint32_t kJobGraphOperatorsMax = 1024;
inline constexpr std::uint32_t kJobGraphEdgesMax = 4096;

// A validated operator.
struct JobVertex {
  OperatorId id = 0;
  std::string name;
  OperatorKind kind = OperatorKind::kMap;
  std::uint32_t parallelism = 1;
  std::uint32_t max_parallelism = 0;  // resolved: never 0
  std::uint32_t insertion_index = 0;  // position in the builder's add_operator order
  std::vector<EdgeId> inputs;         // ascending; position = input gate index
  std::vector<EdgeId> outputs;        // ascending; position = output index
};

// A validated edge.
struct JobEdge {
  EdgeId id = 0;
  OperatorId from = 0;
  OperatorId to = 0;
  Partitioning partitioning = Partitioning::kForward;
  bool iteration = false;
  std::uint32_t input_gate = 0;    // position of this edge in vertex(to).inputs
  std::uint32_t output_index = 0;  // position of this edge in vertex(from).outputs
};

class JobGraph {
 public:
  std::uint32_t vertex_count() const { return static_cast<std::uint32_t>(vertices_.size()); }
  std::uint32_t edge_count() const { return static_cast<std::uint32_t>(edges_.size()); }
  // In topological order: vertices()[i].id == i.
  const std::vector<JobVertex>& vertices() const { return vertices_; }
  const JobVertex& vertex(OperatorId id) const;
  // In the order edges were added: edges()[i].id == i.
  const std::vector<JobEdge>& edges() const { return edges_; }
  const JobEdge& edge(EdgeId id) const;
  std::optional<OperatorId> find_vertex(std::string_view name) const;
  // "'from' -> 'to' (hash)", for logs and error messages.
  std::string describe_edge(EdgeId id) const;

 private:
  friend class JobGraphBuilder;
  JobGraph(std::vector<JobVertex> vertices, std::vector<JobEdge> edges);

  std::vector<JobVertex> vertices_;
  std::vector<JobEdge> edges_;
  std::map<std::string, OperatorId, std::less<>> ids_by_name_;
};

// Collects operators and edges in the order they are added, then validates them all at
// once in build(). Adding never fails; build() is where errors are reported, each one
// naming the operator or edge at fault and what was expected.
class JobGraphBuilder {
 public:
  JobGraphBuilder& add_operator(OperatorSpec spec);
  JobGraphBuilder& add_edge(EdgeSpec spec);
  Result<JobGraph> build() const;

 private:
  std::vector<OperatorSpec> operators_;
  std::vector<EdgeSpec> edges_;
};

}  // namespace ckptsim
