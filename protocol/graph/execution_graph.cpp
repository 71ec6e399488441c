#include "protocol/graph/execution_graph.h"

#include <algorithm>
#include <limits>
#include <string>

#include "protocol/graph/boost_graph.h"

namespace ckptsim {
namespace {

// Marks a wiring slot not yet filled; every slot is filled once expansion is done.
constexpr ChannelId kUnwiredChannel = std::numeric_limits<ChannelId>::max();

// Channels of one edge: p for forward, p_from * p_to for all-to-all.
std::uint64_t channels_of_edge(const JobGraph& job, const JobEdge& edge) {
  const std::uint64_t producers = job.vertex(edge.from).parallelism;
  const std::uint64_t consumers = job.vertex(edge.to).parallelism;
  return is_all_to_all(edge.partitioning) ? producers * consumers : producers;
}

Status check_limits(const JobGraph& job, const ExpansionLimits& limits) {
  std::uint64_t subtasks = 0;
  for (const JobVertex& vertex : job.vertices()) subtasks += vertex.parallelism;
  if (subtasks > limits.subtasks_max) {
    return Status::resource_exhausted("expanding the job graph gives " + std::to_string(subtasks) +
                                      " subtasks; the limit is " + std::to_string(limits.subtasks_max));
  }
  std::uint64_t channels = 0;
  for (const JobEdge& edge : job.edges()) channels += channels_of_edge(job, edge);
  // ChannelId is 32 bits; the limit can never allow more channels than it can number.
  const std::uint64_t channels_max =
      std::min<std::uint64_t>(limits.channels_max, std::numeric_limits<ChannelId>::max());
  if (channels > channels_max) {
    return Status::resource_exhausted("expanding the job graph gives " + std::to_string(channels) +
                                      " channels; the limit is " + std::to_string(channels_max) +
                                      " (all-to-all edges need producer x consumer parallelism channels)");
  }
  return Status::ok();
}

}  // namespace

Result<ExecutionGraph> ExecutionGraph::expand(JobGraph job, const ExpansionLimits& limits) {
  if (Status status = check_limits(job, limits); !status.is_ok()) return status;
  ExecutionGraph graph(std::move(job));
  graph.build_subtasks();
  graph.build_channels();
  graph.compute_regions();
  return graph;
}

void ExecutionGraph::build_subtasks() {
  CKPT_ASSERT(subtasks_.empty(), "subtasks are built once");
  for (const JobVertex& vertex : job_.vertices()) {
    first_subtask_.push_back(static_cast<SubtaskIndex>(subtasks_.size()));
    for (std::uint32_t i = 0; i < vertex.parallelism; ++i) {
      ExecutionSubtask subtask;
      subtask.index = static_cast<SubtaskIndex>(subtasks_.size());
      subtask.id = SubtaskId{vertex.id, i};
      subtask.key_groups = key_group_range_for_operator_index(vertex.max_parallelism, vertex.parallelism, i);
      for (const EdgeId input : vertex.inputs) {
        const JobEdge& edge = job_.edge(input);
        const std::uint32_t width = is_all_to_all(edge.partitioning) ? job_.vertex(edge.from).parallelism : 1;
        subtask.input_gates.emplace_back(width, kUnwiredChannel);
      }
      for (const EdgeId output : vertex.outputs) {
        const JobEdge& edge = job_.edge(output);
        const std::uint32_t width = is_all_to_all(edge.partitioning) ? job_.vertex(edge.to).parallelism : 1;
        subtask.output_partitions.emplace_back(width, kUnwiredChannel);
      }
      subtasks_.push_back(std::move(subtask));
    }
  }
}

void ExecutionGraph::add_channel(const JobEdge& edge, SubtaskIndex producer, std::uint32_t consumer_subtask) {
  const bool all_to_all = is_all_to_all(edge.partitioning);
  const std::uint32_t producer_subtask = subtasks_[producer].id.subtask_index;
  Channel channel;
  channel.id = static_cast<ChannelId>(channels_.size());
  channel.edge = edge.id;
  channel.producer = producer;
  channel.consumer = subtask_index(SubtaskId{edge.to, consumer_subtask});
  channel.input_gate = edge.input_gate;
  channel.channel_in_gate = all_to_all ? producer_subtask : 0;
  channel.output_index = edge.output_index;
  channel.subpartition = all_to_all ? consumer_subtask : 0;

  auto& gates = subtasks_[channel.consumer].input_gates;
  auto& partitions = subtasks_[producer].output_partitions;
  CKPT_ASSERT(channel.input_gate < gates.size(), "the consumer has a gate for every input edge");
  CKPT_ASSERT(channel.channel_in_gate < gates[channel.input_gate].size(), "the gate is wide enough");
  CKPT_ASSERT(channel.output_index < partitions.size(), "the producer has a partition for every output edge");
  CKPT_ASSERT(channel.subpartition < partitions[channel.output_index].size(), "the partition is wide enough");
  ChannelId& in_slot = gates[channel.input_gate][channel.channel_in_gate];
  ChannelId& out_slot = partitions[channel.output_index][channel.subpartition];
  CKPT_ASSERT(in_slot == kUnwiredChannel, "each input gate position is wired exactly once");
  CKPT_ASSERT(out_slot == kUnwiredChannel, "each output partition position is wired exactly once");
  in_slot = channel.id;
  out_slot = channel.id;
  channels_.push_back(channel);
}

void ExecutionGraph::build_channels() {
  CKPT_ASSERT(channels_.empty(), "channels are built once");
  for (const ExecutionSubtask& producer : subtasks_) {
    const JobVertex& vertex = job_.vertex(producer.id.operator_id);
    for (const EdgeId output : vertex.outputs) {
      const JobEdge& edge = job_.edge(output);
      if (!is_all_to_all(edge.partitioning)) {
        add_channel(edge, producer.index, producer.id.subtask_index);
        continue;
      }
      for (std::uint32_t consumer = 0; consumer < job_.vertex(edge.to).parallelism; ++consumer) {
        add_channel(edge, producer.index, consumer);
      }
    }
  }
  for (const ExecutionSubtask& subtask : subtasks_) {
    for (const auto& gate : subtask.input_gates) {
      for (const ChannelId id : gate) CKPT_ASSERT(id != kUnwiredChannel, "every input gate position is wired");
    }
    for (const auto& partition : subtask.output_partitions) {
      for (const ChannelId id : partition) CKPT_ASSERT(id != kUnwiredChannel, "every output position is wired");
    }
  }
}

void ExecutionGraph::compute_regions() {
  using SubtaskGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  SubtaskGraph graph(subtasks_.size());
  // An all-to-all edge joins all its producer and consumer subtasks into one component,
  // so a star of p_from + p_to - 1 links is enough; linking every channel would give
  // the same components at p_from * p_to cost.
  for (const JobEdge& edge : job_.edges()) {
    const JobVertex& from = job_.vertex(edge.from);
    const JobVertex& to = job_.vertex(edge.to);
    for (std::uint32_t i = 0; i < from.parallelism; ++i) {
      const std::uint32_t consumer = is_all_to_all(edge.partitioning) ? 0 : i;
      boost::add_edge(first_subtask(from.id) + i, first_subtask(to.id) + consumer, graph);
    }
    if (!is_all_to_all(edge.partitioning)) continue;
    for (std::uint32_t j = 1; j < to.parallelism; ++j) {
      boost::add_edge(first_subtask(from.id), first_subtask(to.id) + j, graph);
    }
  }
  std::vector<int> component(subtasks_.size(), 0);
  boost::connected_components(
      graph, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph)));

  // Renumber so that region ids follow the smallest subtask index of each region,
  // independent of how Boost numbers its components.
  std::vector<RegionId> region_by_component(subtasks_.size(), std::numeric_limits<RegionId>::max());
  for (ExecutionSubtask& subtask : subtasks_) {
    RegionId& region = region_by_component[static_cast<std::size_t>(component[subtask.index])];
    if (region == std::numeric_limits<RegionId>::max()) {
      region = static_cast<RegionId>(regions_.size());
      regions_.push_back(PipelinedRegion{region, {}});
    }
    subtask.region = region;
    regions_[region].subtasks.push_back(subtask.index);
  }
  CKPT_ASSERT(!regions_.empty() || subtasks_.empty(), "every subtask belongs to a region");
}

const ExecutionSubtask& ExecutionGraph::subtask(SubtaskIndex index) const {
  CKPT_ASSERT(index < subtasks_.size(), "subtask index out of range");
  return subtasks_[index];
}

SubtaskIndex ExecutionGraph::subtask_index(SubtaskId id) const {
  CKPT_ASSERT(id.subtask_index < job_.vertex(id.operator_id).parallelism, "subtask index beyond parallelism");
  const SubtaskIndex index = first_subtask(id.operator_id) + id.subtask_index;
  CKPT_ASSERT(subtasks_[index].id == id, "subtask numbering is operator-major");
  return index;
}

SubtaskIndex ExecutionGraph::first_subtask(OperatorId id) const {
  CKPT_ASSERT(id < first_subtask_.size(), "operator id out of range");
  return first_subtask_[id];
}

std::string ExecutionGraph::describe_subtask(SubtaskIndex index) const {
  const ExecutionSubtask& s = subtask(index);
  const JobVertex& vertex = job_.vertex(s.id.operator_id);
  return vertex.name + " (" + std::to_string(s.id.subtask_index + 1) + "/" + std::to_string(vertex.parallelism) + ")";
}

const Channel& ExecutionGraph::channel(ChannelId id) const {
  CKPT_ASSERT(id < channels_.size(), "channel id out of range");
  return channels_[id];
}

const PipelinedRegion& ExecutionGraph::region(RegionId id) const {
  CKPT_ASSERT(id < regions_.size(), "region id out of range");
  return regions_[id];
}

}  // namespace ckptsim
