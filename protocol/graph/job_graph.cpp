#include "protocol/graph/job_graph.h"

#include <set>
#include <utility>

#include "protocol/graph/boost_graph.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim {
namespace {

// Vertices are operators by insertion index; edges are the non-iteration edges.
using DirectedGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
// Vertices are operators by insertion index; edges are all edges, direction ignored.
using UndirectedGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

// An edge whose endpoints are resolved to operator insertion indices.
struct ResolvedEdge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  const EdgeSpec* spec = nullptr;
};

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

// "operator 'agg' (keyed aggregate)"
std::string describe_operator(const OperatorSpec& op) {
  return "operator " + quoted(op.name) + " (" + operator_kind_name(op.kind) + ")";
}

// "edge #2 'a' -> 'b' (forward)"
std::string describe_edge_spec(std::size_t index, const EdgeSpec& edge) {
  return "edge #" + std::to_string(index) + " " + quoted(edge.from) + " -> " + quoted(edge.to) + " (" +
         partitioning_name(edge.partitioning) + (edge.iteration ? ", iteration" : "") + ")";
}

std::string join_quoted(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += quoted(name);
  }
  return joined;
}

// Resolves the max parallelism of one operator and checks its parallelism against it.
Result<std::uint32_t> resolve_max_parallelism(const OperatorSpec& op) {
  if (op.max_parallelism > kMaxParallelismUpperBound) {
    return Status::invalid_argument(describe_operator(op) + ": max parallelism " +
                                    std::to_string(op.max_parallelism) + " exceeds the upper bound " +
                                    std::to_string(kMaxParallelismUpperBound));
  }
  const std::uint32_t bound = op.max_parallelism == 0 ? kMaxParallelismUpperBound : op.max_parallelism;
  if (op.parallelism == 0 || op.parallelism > bound) {
    const char* reason = op.max_parallelism == 0 ? " (the upper bound)" : " (its max parallelism)";
    return Status::invalid_argument(describe_operator(op) + ": parallelism " + std::to_string(op.parallelism) +
                                    " is out of range; expected 1.." + std::to_string(bound) + reason);
  }
  return op.max_parallelism == 0 ? default_max_parallelism(op.parallelism) : op.max_parallelism;
}

// One validation pass over a builder's operators and edges. Each check_* returns the
// first error it finds, in insertion order, so the reported error is deterministic.
// The checks must run in declaration order: later ones rely on what earlier ones proved.
class JobGraphValidation {
 public:
  JobGraphValidation(const std::vector<OperatorSpec>& operators, const std::vector<EdgeSpec>& edges)
      : operators_(operators), edges_(edges) {}

  Status check_sizes() const;
  Status check_operators();
  Status resolve_edges();
  Status check_edges() const;
  Status check_roles() const;
  Status check_connected() const;
  Status check_cycles() const;
  Status check_iteration_edges() const;
  // Kahn's algorithm over non-iteration edges, choosing the smallest ready insertion
  // index first. Returns insertion indices. Precondition: check_cycles() passed.
  std::vector<std::uint32_t> topological_order() const;

  const std::vector<std::uint32_t>& max_parallelisms() const { return max_parallelisms_; }
  const std::vector<ResolvedEdge>& resolved_edges() const { return resolved_; }

 private:
  Status check_edge(std::size_t index, const ResolvedEdge& edge) const;
  bool reaches(std::uint32_t from, std::uint32_t to) const;

  const std::vector<OperatorSpec>& operators_;
  const std::vector<EdgeSpec>& edges_;
  std::map<std::string, std::uint32_t, std::less<>> index_by_name_;
  std::vector<std::uint32_t> max_parallelisms_;            // by insertion index
  std::vector<ResolvedEdge> resolved_;                     // by edge insertion index
  std::vector<std::uint32_t> input_counts_;                // by insertion index, all edges
  DirectedGraph forward_graph_;
  UndirectedGraph undirected_graph_;
};

Status JobGraphValidation::check_sizes() const {
  if (operators_.empty()) {
    return Status::invalid_argument("the job graph has no operators; expected at least a source and a sink");
  }
  if (operators_.size() > kJobGraphOperatorsMax) {
    return Status::invalid_argument("the job graph has " + std::to_string(operators_.size()) +
                                    " operators; at most " + std::to_string(kJobGraphOperatorsMax) +
                                    " are supported");
  }
  if (edges_.size() > kJobGraphEdgesMax) {
    return Status::invalid_argument("the job graph has " + std::to_string(edges_.size()) + " edges; at most " +
                                    std::to_string(kJobGraphEdgesMax) + " are supported");
  }
  return Status::ok();
}

Status JobGraphValidation::check_operators() {
  for (std::size_t index = 0; index < operators_.size(); ++index) {
    const OperatorSpec& op = operators_[index];
    if (op.name.empty()) {
      return Status::invalid_argument("operator #" + std::to_string(index) + " (" +
                                      operator_kind_name(op.kind) + ") has an empty name; expected a unique name");
    }
    const auto [existing, inserted] = index_by_name_.emplace(op.name, static_cast<std::uint32_t>(index));
    if (!inserted) {
      return Status::invalid_argument("duplicate operator name " + quoted(op.name) + ": operators #" +
                                      std::to_string(existing->second) + " and #" + std::to_string(index) +
                                      " share it; expected unique names");
    }
    Result<std::uint32_t> max_parallelism = resolve_max_parallelism(op);
    if (!max_parallelism.is_ok()) return max_parallelism.status();
    max_parallelisms_.push_back(max_parallelism.value());
  }
  return Status::ok();
}

Status JobGraphValidation::resolve_edges() {
  const std::size_t operator_count = operators_.size();
  forward_graph_ = DirectedGraph(operator_count);
  undirected_graph_ = UndirectedGraph(operator_count);
  input_counts_.assign(operator_count, 0);
  for (std::size_t index = 0; index < edges_.size(); ++index) {
    const EdgeSpec& spec = edges_[index];
    for (const std::string* name : {&spec.from, &spec.to}) {
      if (!index_by_name_.contains(*name)) {
        return Status::invalid_argument(describe_edge_spec(index, spec) + " names unknown operator " +
                                        quoted(*name) + "; expected the name of an added operator");
      }
    }
    const ResolvedEdge edge{index_by_name_.find(spec.from)->second, index_by_name_.find(spec.to)->second, &spec};
    resolved_.push_back(edge);
    ++input_counts_[edge.to];
    boost::add_edge(edge.from, edge.to, undirected_graph_);
    if (!spec.iteration) boost::add_edge(edge.from, edge.to, forward_graph_);
  }
  return Status::ok();
}

Status JobGraphValidation::check_edge(std::size_t index, const ResolvedEdge& edge) const {
  const OperatorSpec& from = operators_[edge.from];
  const OperatorSpec& to = operators_[edge.to];
  const std::string described = describe_edge_spec(index, *edge.spec);
  if (edge.spec->partitioning == Partitioning::kForward && from.parallelism != to.parallelism) {
    return Status::invalid_argument(described + " connects " + describe_operator(from) +
                                    " with parallelism " + std::to_string(from.parallelism) + " to " +
                                    describe_operator(to) + " with parallelism " +
                                    std::to_string(to.parallelism) +
                                    "; a forward edge needs equal parallelism (use rebalance or hash to change it)");
  }
  if (from.kind == OperatorKind::kSink) {
    return Status::invalid_argument(describe_operator(from) + " has an output, " + described +
                                    "; expected a sink to have no outputs");
  }
  if (to.kind == OperatorKind::kSource) {
    return Status::invalid_argument(describe_operator(to) + " has an input, " + described +
                                    "; expected a source to have no inputs");
  }
  if (is_keyed(to.kind) && edge.spec->partitioning != Partitioning::kHashByKey) {
    return Status::invalid_argument(describe_operator(to) + " is keyed but its input " + described + " is " +
                                    partitioning_name(edge.spec->partitioning) +
                                    "; expected every input of a keyed operator to be hash-partitioned by key");
  }
  return Status::ok();
}

Status JobGraphValidation::check_edges() const {
  for (std::size_t index = 0; index < resolved_.size(); ++index) {
    if (Status status = check_edge(index, resolved_[index]); !status.is_ok()) return status;
  }
  return Status::ok();
}

Status JobGraphValidation::check_roles() const {
  bool has_source = false;
  bool has_sink = false;
  for (const OperatorSpec& op : operators_) {
    has_source = has_source || op.kind == OperatorKind::kSource;
    has_sink = has_sink || op.kind == OperatorKind::kSink;
  }
  if (!has_source) {
    return Status::invalid_argument("the job graph has no source; expected at least one operator of kind source");
  }
  if (!has_sink) {
    return Status::invalid_argument("the job graph has no sink; expected at least one operator of kind sink");
  }
  for (std::size_t index = 0; index < operators_.size(); ++index) {
    if (operators_[index].kind != OperatorKind::kSource && input_counts_[index] == 0) {
      return Status::invalid_argument(describe_operator(operators_[index]) +
                                      " has no inputs; expected every operator except a source to have an input");
    }
  }
  return Status::ok();
}

Status JobGraphValidation::check_connected() const {
  if (operators_.size() <= 1) return Status::ok();
  std::vector<int> component(operators_.size(), 0);
  const int component_count = boost::connected_components(
      undirected_graph_,
      boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, undirected_graph_)));
  CKPT_ASSERT(component_count >= 1, "a non-empty graph has at least one component");
  if (component_count == 1) return Status::ok();
  std::vector<std::string> disconnected;
  for (std::size_t index = 0; index < operators_.size(); ++index) {
    if (component[index] != component[0]) disconnected.push_back(operators_[index].name);
  }
  CKPT_ASSERT(!disconnected.empty(), "several components leave some operator apart from the first");
  return Status::invalid_argument(
      "operator" + std::string(disconnected.size() == 1 ? " " : "s ") + join_quoted(disconnected) +
      " not connected to the rest of the job graph (the part containing " + quoted(operators_[0].name) +
      "); expected every operator to be linked to every other by edges, ignoring direction");
}

Status JobGraphValidation::check_cycles() const {
  for (std::size_t index = 0; index < resolved_.size(); ++index) {
    const ResolvedEdge& edge = resolved_[index];
    if (!edge.spec->iteration && edge.from == edge.to) {
      return Status::invalid_argument(describe_edge_spec(index, *edge.spec) + " is a loop on " +
                                      describe_operator(operators_[edge.from]) +
                                      " without an iteration mark; expected every cycle to contain an iteration edge");
    }
  }
  std::vector<int> component(operators_.size(), 0);
  const int component_count = boost::strong_components(
      forward_graph_,
      boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, forward_graph_)));
  std::vector<std::uint32_t> component_sizes(static_cast<std::size_t>(component_count), 0);
  for (const int c : component) ++component_sizes[static_cast<std::size_t>(c)];
  for (std::size_t index = 0; index < operators_.size(); ++index) {
    const int cyclic = component[index];
    if (component_sizes[static_cast<std::size_t>(cyclic)] < 2) continue;
    std::vector<std::string> members;
    for (std::size_t other = index; other < operators_.size(); ++other) {
      if (component[other] == cyclic) members.push_back(operators_[other].name);
    }
    return Status::invalid_argument("operators " + join_quoted(members) +
                                    " form a cycle without an iteration edge; expected every cycle to contain "
                                    "an edge marked iteration");
  }
  return Status::ok();
}

bool JobGraphValidation::reaches(std::uint32_t from, std::uint32_t to) const {
  std::vector<bool> visited(operators_.size(), false);
  std::vector<std::uint32_t> frontier{from};
  visited[from] = true;
  while (!frontier.empty()) {
    const std::uint32_t current = frontier.back();
    frontier.pop_back();
    if (current == to) return true;
    for (const auto& out : boost::make_iterator_range(boost::out_edges(current, forward_graph_))) {
      const auto next = static_cast<std::uint32_t>(boost::target(out, forward_graph_));
      if (!visited[next]) {
        visited[next] = true;
        frontier.push_back(next);
      }
    }
  }
  return false;
}

Status JobGraphValidation::check_iteration_edges() const {
  for (std::size_t index = 0; index < resolved_.size(); ++index) {
    const ResolvedEdge& edge = resolved_[index];
    if (!edge.spec->iteration || reaches(edge.to, edge.from)) continue;
    return Status::invalid_argument("iteration " + describe_edge_spec(index, *edge.spec) +
                                    " does not close a cycle: " + quoted(edge.spec->to) + " cannot reach " +
                                    quoted(edge.spec->from) +
                                    " along non-iteration edges; expected iteration edges to be feedback edges");
  }
  return Status::ok();
}

std::vector<std::uint32_t> JobGraphValidation::topological_order() const {
  std::vector<std::size_t> remaining_inputs(operators_.size(), 0);
  std::set<std::uint32_t> ready;
  for (std::uint32_t index = 0; index < operators_.size(); ++index) {
    remaining_inputs[index] = boost::in_degree(index, forward_graph_);
    if (remaining_inputs[index] == 0) ready.insert(index);
  }
  std::vector<std::uint32_t> order;
  order.reserve(operators_.size());
  while (!ready.empty()) {
    const std::uint32_t next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next);
    for (const auto& out : boost::make_iterator_range(boost::out_edges(next, forward_graph_))) {
      const auto target = static_cast<std::uint32_t>(boost::target(out, forward_graph_));
      CKPT_ASSERT(remaining_inputs[target] > 0, "in-degree bookkeeping went negative");
      if (--remaining_inputs[target] == 0) ready.insert(target);
    }
  }
  CKPT_ASSERT(order.size() == operators_.size(), "an acyclic graph has a complete topological order");
  return order;
}

}  // namespace

const char* operator_kind_name(OperatorKind kind) {
  switch (kind) {
    case OperatorKind::kSource: return "source";
    case OperatorKind::kMap: return "map";
    case OperatorKind::kFilter: return "filter";
    case OperatorKind::kKeyedAggregate: return "keyed aggregate";
    case OperatorKind::kSequenceChecker: return "sequence checker";
    case OperatorKind::kSink: return "sink";
  }
  CKPT_UNREACHABLE("unknown operator kind");
}

bool is_keyed(OperatorKind kind) {
  switch (kind) {
    case OperatorKind::kKeyedAggregate:
    case OperatorKind::kSequenceChecker: return true;
    case OperatorKind::kSource:
    case OperatorKind::kMap:
    case OperatorKind::kFilter:
    case OperatorKind::kSink: return false;
  }
  CKPT_UNREACHABLE("unknown operator kind");
}

const char* partitioning_name(Partitioning partitioning) {
  switch (partitioning) {
    case Partitioning::kForward: return "forward";
    case Partitioning::kHashByKey: return "hash";
    case Partitioning::kRebalance: return "rebalance";
    case Partitioning::kBroadcast: return "broadcast";
  }
  CKPT_UNREACHABLE("unknown partitioning");
}

bool is_all_to_all(Partitioning partitioning) {
  switch (partitioning) {
    case Partitioning::kForward: return false;
    case Partitioning::kHashByKey:
    case Partitioning::kRebalance:
    case Partitioning::kBroadcast: return true;
  }
  CKPT_UNREACHABLE("unknown partitioning");
}

JobGraph::JobGraph(std::vector<JobVertex> vertices, std::vector<JobEdge> edges)
    : vertices_(std::move(vertices)), edges_(std::move(edges)) {
  for (const JobVertex& v : vertices_) {
    CKPT_ASSERT(v.id == ids_by_name_.size(), "vertex ids are positions in the topological order");
    CKPT_ASSERT(v.max_parallelism >= v.parallelism, "max parallelism is resolved and not below parallelism");
    const bool inserted = ids_by_name_.emplace(v.name, v.id).second;
    CKPT_ASSERT(inserted, "vertex names are unique");
  }
  for (std::size_t index = 0; index < edges_.size(); ++index) {
    const JobEdge& e = edges_[index];
    CKPT_ASSERT(e.id == index, "edge ids are positions in insertion order");
    const std::vector<EdgeId>& inputs = vertex(e.to).inputs;
    const std::vector<EdgeId>& outputs = vertex(e.from).outputs;
    CKPT_ASSERT(e.input_gate < inputs.size(), "an edge's input gate exists");
    CKPT_ASSERT(inputs[e.input_gate] == e.id, "an edge's input gate points back at it");
    CKPT_ASSERT(e.output_index < outputs.size(), "an edge's output index exists");
    CKPT_ASSERT(outputs[e.output_index] == e.id, "an edge's output index points back at it");
    CKPT_ASSERT(e.iteration || e.from < e.to, "non-iteration edges follow the topological order");
  }
}

const JobVertex& JobGraph::vertex(OperatorId id) const {
  CKPT_ASSERT(id < vertices_.size(), "operator id out of range");
  return vertices_[id];
}

const JobEdge& JobGraph::edge(EdgeId id) const {
  CKPT_ASSERT(id < edges_.size(), "edge id out of range");
  return edges_[id];
}

std::optional<OperatorId> JobGraph::find_vertex(std::string_view name) const {
  const auto found = ids_by_name_.find(name);
  if (found == ids_by_name_.end()) return std::nullopt;
  return found->second;
}

std::string JobGraph::describe_edge(EdgeId id) const {
  const JobEdge& e = edge(id);
  return quoted(vertex(e.from).name) + " -> " + quoted(vertex(e.to).name) + " (" +
         partitioning_name(e.partitioning) + (e.iteration ? ", iteration" : "") + ")";
}

JobGraphBuilder& JobGraphBuilder::add_operator(OperatorSpec spec) {
  operators_.push_back(std::move(spec));
  return *this;
}

JobGraphBuilder& JobGraphBuilder::add_edge(EdgeSpec spec) {
  edges_.push_back(std::move(spec));
  return *this;
}

Result<JobGraph> JobGraphBuilder::build() const {
  JobGraphValidation validation(operators_, edges_);
  if (Status s = validation.check_sizes(); !s.is_ok()) return s;
  if (Status s = validation.check_operators(); !s.is_ok()) return s;
  if (Status s = validation.resolve_edges(); !s.is_ok()) return s;
  if (Status s = validation.check_edges(); !s.is_ok()) return s;
  if (Status s = validation.check_roles(); !s.is_ok()) return s;
  if (Status s = validation.check_connected(); !s.is_ok()) return s;
  if (Status s = validation.check_cycles(); !s.is_ok()) return s;
  if (Status s = validation.check_iteration_edges(); !s.is_ok()) return s;

  const std::vector<std::uint32_t> order = validation.topological_order();
  std::vector<OperatorId> id_by_insertion(order.size(), 0);
  std::vector<JobVertex> vertices(order.size());
  for (std::uint32_t position = 0; position < order.size(); ++position) {
    const OperatorSpec& spec = operators_[order[position]];
    id_by_insertion[order[position]] = position;
    vertices[position] = JobVertex{position, spec.name, spec.kind, spec.parallelism,
                                   validation.max_parallelisms()[order[position]], order[position], {}, {}};
  }
  std::vector<JobEdge> edges;
  edges.reserve(validation.resolved_edges().size());
  for (const ResolvedEdge& resolved : validation.resolved_edges()) {
    const auto id = static_cast<EdgeId>(edges.size());
    JobVertex& from = vertices[id_by_insertion[resolved.from]];
    JobVertex& to = vertices[id_by_insertion[resolved.to]];
    edges.push_back(JobEdge{id, from.id, to.id, resolved.spec->partitioning, resolved.spec->iteration,
                            static_cast<std::uint32_t>(to.inputs.size()),
                            static_cast<std::uint32_t>(from.outputs.size())});
    to.inputs.push_back(id);
    from.outputs.push_back(id);
  }
  return JobGraph(std::move(vertices), std::move(edges));
}

}  // namespace ckptsim
