// The execution graph: a JobGraph expanded into subtasks (one per operator and
// parallel index) and the data channels between them, plus the pipelined regions used
// by region failover.
//
// Numbering is dense and deterministic, so that two runs of the same job agree on every
// id:
//   * Subtasks are numbered by operator (topological order), then subtask index.
//   * Channels are numbered by producer subtask (in subtask order), then the producer's
//     output edges (ascending EdgeId), then consumer subtask index.
//   * Regions are numbered by their smallest subtask index.
// Wiring: a forward edge connects subtask i to subtask i; hash, rebalance and broadcast
// edges connect every producer subtask to every consumer subtask. A consumer has one
// input gate per incoming edge (gate g belongs to JobVertex::inputs[g]); inside a gate,
// channels are ordered by producer subtask index. A producer has one output partition
// per outgoing edge (partition o belongs to JobVertex::outputs[o]); inside a partition,
// channels are ordered by consumer subtask index (one channel for forward).
// Regions: in streaming every exchange is pipelined, so a pipelined region is a
// connected component of the subtask graph; a failure restarts its whole region.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/transport.h"
#include "protocol/graph/job_graph.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim {

using SubtaskIndex = std::uint32_t;  // dense over all subtasks of the job
using RegionId = std::uint32_t;      // dense, ordered by smallest member subtask

// A subtask named by its operator and its parallel index in 0..parallelism-1.
struct SubtaskId {
  OperatorId operator_id = 0;
  std::uint32_t subtask_index = 0;
  friend auto operator<=>(const SubtaskId&, const SubtaskId&) = default;
};

// One parallel instance of an operator (Flink's ExecutionVertex).
struct ExecutionSubtask {
  SubtaskIndex index = 0;
  SubtaskId id;
  RegionId region = 0;
  // The key groups this subtask owns (meaningful for keyed operators, computed for all).
  KeyGroupRange key_groups;
  // input_gates[g][c]: the channel at position c of input gate g.
  std::vector<std::vector<ChannelId>> input_gates;
  // output_partitions[o][k]: for forward edges k == 0 only; for all-to-all edges k is the
  // consumer subtask index, so hash routing is output_partitions[o][operator index].
  std::vector<std::vector<ChannelId>> output_partitions;
};

// A reliable FIFO data channel from one producer subtask to one consumer subtask.
struct Channel {
  ChannelId id = 0;
  EdgeId edge = 0;
  SubtaskIndex producer = 0;
  SubtaskIndex consumer = 0;
  std::uint32_t input_gate = 0;       // the consumer's gate; equals job.edge(edge).input_gate
  std::uint32_t channel_in_gate = 0;  // position inside that gate
  std::uint32_t output_index = 0;     // the producer's partition; equals job.edge(edge).output_index
  std::uint32_t subpartition = 0;     // position inside that partition
};

// Subtasks that fail over together. Invariant: subtasks is ascending and non-empty,
// and id is the position in ExecutionGraph::regions().
struct PipelinedRegion {
  RegionId id = 0;
  std::vector<SubtaskIndex> subtasks;
};

// Bounds on the size of an expansion; exceeding one is a resource_exhausted Status.
struct ExpansionLimits {
  std::uint32_t subtasks_max = 1u << 16;
  std::uint64_t channels_max = 1u << 20;
};

// Immutable once expanded. Owns a copy of the JobGraph it was expanded from.
class ExecutionGraph {
 public:
  static Result<ExecutionGraph> expand(JobGraph job, const ExpansionLimits& limits = ExpansionLimits{});

  const JobGraph& job() const { return job_; }

  std::uint32_t subtask_count() const { return static_cast<std::uint32_t>(subtasks_.size()); }
  const std::vector<ExecutionSubtask>& subtasks() const { return subtasks_; }
  const ExecutionSubtask& subtask(SubtaskIndex index) const;
  SubtaskIndex subtask_index(SubtaskId id) const;
  // The subtasks of one operator are first_subtask(op) .. first_subtask(op) + p - 1.
  SubtaskIndex first_subtask(OperatorId id) const;
  // "name (3/4)": the operator name and the 1-based subtask position, as Flink prints it.
  std::string describe_subtask(SubtaskIndex index) const;

  std::uint32_t channel_count() const { return static_cast<std::uint32_t>(channels_.size()); }
  const std::vector<Channel>& channels() const { return channels_; }
  const Channel& channel(ChannelId id) const;

  std::uint32_t region_count() const { return static_cast<std::uint32_t>(regions_.size()); }
  const std::vector<PipelinedRegion>& regions() const { return regions_; }
  const PipelinedRegion& region(RegionId id) const;
  RegionId region_of(SubtaskIndex index) const { return subtask(index).region; }

 private:
  explicit ExecutionGraph(JobGraph job) : job_(std::move(job)) {}
  void build_subtasks();
  void build_channels();
  void add_channel(const JobEdge& edge, SubtaskIndex producer, std::uint32_t consumer_subtask);
  void compute_regions();

  JobGraph job_;
  std::vector<SubtaskIndex> first_subtask_;  // by OperatorId
  std::vector<ExecutionSubtask> subtasks_;   // by SubtaskIndex
  std::vector<Channel> channels_;            // by ChannelId
  std::vector<PipelinedRegion> regions_;     // by RegionId
};

}  // namespace ckptsim
