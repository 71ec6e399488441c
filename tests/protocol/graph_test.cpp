// Scenarios for the job graph layer: key-group assignment, job graph validation,
// expansion into subtasks and channels, and pipelined regions.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/graph/execution_graph.h"
#include "protocol/graph/job_graph.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim {
namespace {

OperatorSpec make_operator(std::string name, OperatorKind kind, std::uint32_t parallelism,
                           std::uint32_t max_parallelism = 0) {
  return OperatorSpec{std::move(name), kind, parallelism, max_parallelism};
}

EdgeSpec make_edge(std::string from, std::string to, Partitioning partitioning, bool iteration = false) {
  return EdgeSpec{std::move(from), std::move(to), partitioning, iteration};
}

// Builds a graph that the test expects to be valid.
JobGraph build_ok(const JobGraphBuilder& builder) {
  Result<JobGraph> result = builder.build();
  if (!result.is_ok()) FAIL("expected a valid job graph, got: " << result.status().to_string());
  return std::move(result).value();
}

// Builds a graph that the test expects to be rejected and returns the error message.
std::string build_error(const JobGraphBuilder& builder) {
  Result<JobGraph> result = builder.build();
  REQUIRE_FALSE(result.is_ok());
  CHECK(result.status().code() == StatusCode::kInvalidArgument);
  return result.status().message();
}

ExecutionGraph expand_ok(const JobGraph& job) {
  Result<ExecutionGraph> result = ExecutionGraph::expand(job);
  if (!result.is_ok()) FAIL("expected an expansion, got: " << result.status().to_string());
  return std::move(result).value();
}

// source(p) -> map(p) -> sink(p), with the two given partitionings.
JobGraphBuilder pipeline(std::uint32_t parallelism, Partitioning first, Partitioning second) {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, parallelism))
      .add_operator(make_operator("map", OperatorKind::kMap, parallelism))
      .add_operator(make_operator("sink", OperatorKind::kSink, parallelism))
      .add_edge(make_edge("src", "map", first))
      .add_edge(make_edge("map", "sink", second));
  return builder;
}

OperatorId id_of(const JobGraph& job, const std::string& name) {
  const std::optional<OperatorId> id = job.find_vertex(name);
  REQUIRE(id.has_value());
  return *id;
}

TEST_CASE("key groups: max parallelism 128 at parallelism 3 gives Flink's ranges", "[unit][graph]") {
  CHECK(key_group_range_for_operator_index(128, 3, 0) == KeyGroupRange{0, 42});
  CHECK(key_group_range_for_operator_index(128, 3, 1) == KeyGroupRange{43, 85});
  CHECK(key_group_range_for_operator_index(128, 3, 2) == KeyGroupRange{86, 127});
  CHECK(operator_index_for_key_group(128, 3, 0) == 0);
  CHECK(operator_index_for_key_group(128, 3, 42) == 0);
  CHECK(operator_index_for_key_group(128, 3, 43) == 1);
  CHECK(operator_index_for_key_group(128, 3, 85) == 1);
  CHECK(operator_index_for_key_group(128, 3, 86) == 2);
  CHECK(operator_index_for_key_group(128, 3, 127) == 2);
  CHECK(key_group_range_for_operator_index(128, 3, 0).size() == 43);
  CHECK(key_group_range_for_operator_index(128, 3, 2).size() == 42);
}

TEST_CASE("key groups: parallelism equal to max parallelism gives one key group per operator", "[unit][graph]") {
  for (std::uint32_t i = 0; i < 16; ++i) {
    const KeyGroupRange range = key_group_range_for_operator_index(16, 16, i);
    CHECK(range == KeyGroupRange{i, i});
    CHECK(range.contains(i));
    CHECK_FALSE(range.contains(i + 1));
    CHECK(operator_index_for_key_group(16, 16, i) == i);
  }
  CHECK(key_group_range_for_operator_index(32768, 1, 0) == KeyGroupRange{0, 32767});
}

TEST_CASE("key groups: the default max parallelism follows Flink's rule", "[unit][graph]") {
  CHECK(default_max_parallelism(1) == 128);
  CHECK(default_max_parallelism(85) == 128);    // 85 + 42 = 127 -> 128
  CHECK(default_max_parallelism(86) == 256);    // 86 + 43 = 129 -> 256
  CHECK(default_max_parallelism(1000) == 2048);
  CHECK(default_max_parallelism(21845) == 32768);
  CHECK(default_max_parallelism(30000) == 32768);  // clamped to the upper bound
  CHECK(default_max_parallelism(32768) == 32768);
  CHECK(round_up_to_power_of_two(1) == 1);
  CHECK(round_up_to_power_of_two(3) == 4);
  CHECK(round_up_to_power_of_two(64) == 64);
}

TEST_CASE("key groups: the key hash is pinned so key groups never move between builds", "[unit][graph]") {
  CHECK(mix_key_hash(0) == 0);
  CHECK(mix_key_hash(1) == 0xb456bcfc34c2cb2cULL);
  CHECK(mix_key_hash(42) == 0x810879608e4259ccULL);
  CHECK(key_group_for_key(1, 128) == 44);
  CHECK(key_group_for_key(42, 128) == 76);
  CHECK(key_group_for_key(UINT64_MAX, 128) == 33);
  CHECK(operator_index_for_key(42, 128, 3) == operator_index_for_key_group(128, 3, 76));
}

TEST_CASE("key groups: consecutive keys reach every key group", "[unit][graph]") {
  std::set<std::uint32_t> seen;
  for (std::uint64_t key = 0; key < 4096; ++key) seen.insert(key_group_for_key(key, 128));
  CHECK(seen.size() == 128);
}

TEST_CASE("key groups: operator ranges partition the key groups and agree with the owner", "[property][graph]") {
  rc::prop("ranges partition [0, maxP) and operator_index_for_key_group matches", [] {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, kMaxParallelismUpperBound + 1);
    const auto parallelism = *rc::gen::inRange<std::uint32_t>(1, std::min(max_parallelism, 512u) + 1);
    std::uint32_t next_start = 0;
    for (std::uint32_t index = 0; index < parallelism; ++index) {
      const KeyGroupRange range = key_group_range_for_operator_index(max_parallelism, parallelism, index);
      RC_ASSERT(range.start == next_start);
      RC_ASSERT(range.start <= range.end_inclusive);
      RC_ASSERT(operator_index_for_key_group(max_parallelism, parallelism, range.start) == index);
      RC_ASSERT(operator_index_for_key_group(max_parallelism, parallelism, range.end_inclusive) == index);
      next_start = range.end_inclusive + 1;
    }
    RC_ASSERT(next_start == max_parallelism);
    const auto key_group = *rc::gen::inRange<std::uint32_t>(0, max_parallelism);
    const std::uint32_t owner = operator_index_for_key_group(max_parallelism, parallelism, key_group);
    RC_ASSERT(key_group_range_for_operator_index(max_parallelism, parallelism, owner).contains(key_group));
    const auto key = *rc::gen::arbitrary<std::uint64_t>();
    RC_ASSERT(key_group_for_key(key, max_parallelism) < max_parallelism);
    RC_ASSERT(operator_index_for_key(key, max_parallelism, parallelism) ==
              operator_index_for_key_group(max_parallelism, parallelism, key_group_for_key(key, max_parallelism)));
  });
}

TEST_CASE("job graph: a simple pipeline is accepted with resolved max parallelism", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 2))
      .add_operator(make_operator("agg", OperatorKind::kKeyedAggregate, 3, 64))
      .add_operator(make_operator("sink", OperatorKind::kSink, 3))
      .add_edge(make_edge("src", "agg", Partitioning::kHashByKey))
      .add_edge(make_edge("agg", "sink", Partitioning::kForward));
  const JobGraph job = build_ok(builder);
  REQUIRE(job.vertex_count() == 3);
  REQUIRE(job.edge_count() == 2);
  CHECK(job.vertex(id_of(job, "src")).max_parallelism == 128);
  CHECK(job.vertex(id_of(job, "agg")).max_parallelism == 64);
  CHECK(job.vertex(id_of(job, "agg")).kind == OperatorKind::kKeyedAggregate);
  CHECK_FALSE(job.find_vertex("missing").has_value());
  CHECK(job.describe_edge(0) == "'src' -> 'agg' (hash)");
  for (OperatorId id = 0; id < job.vertex_count(); ++id) CHECK(job.vertex(id).id == id);
}

TEST_CASE("job graph: topological order breaks ties by insertion order", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("sink", OperatorKind::kSink, 1))
      .add_operator(make_operator("b_map", OperatorKind::kMap, 1))
      .add_operator(make_operator("src2", OperatorKind::kSource, 1))
      .add_operator(make_operator("a_map", OperatorKind::kMap, 1))
      .add_operator(make_operator("src1", OperatorKind::kSource, 1))
      .add_edge(make_edge("src1", "a_map", Partitioning::kForward))
      .add_edge(make_edge("src2", "b_map", Partitioning::kForward))
      .add_edge(make_edge("a_map", "sink", Partitioning::kRebalance))
      .add_edge(make_edge("b_map", "sink", Partitioning::kRebalance));
  const JobGraph job = build_ok(builder);
  std::vector<std::string> names;
  for (const JobVertex& vertex : job.vertices()) names.push_back(vertex.name);
  CHECK(names == std::vector<std::string>{"src2", "b_map", "src1", "a_map", "sink"});
  CHECK(job.vertex(id_of(job, "sink")).insertion_index == 0);
  CHECK(job.vertex(id_of(job, "src1")).insertion_index == 4);
}

TEST_CASE("job graph: inputs and outputs are listed in edge order with their gate indices", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("left", OperatorKind::kSource, 2))
      .add_operator(make_operator("right", OperatorKind::kSource, 3))
      .add_operator(make_operator("union", OperatorKind::kMap, 2))
      .add_operator(make_operator("sink_a", OperatorKind::kSink, 2))
      .add_operator(make_operator("sink_b", OperatorKind::kSink, 1))
      .add_edge(make_edge("right", "union", Partitioning::kRebalance))
      .add_edge(make_edge("left", "union", Partitioning::kForward))
      .add_edge(make_edge("union", "sink_a", Partitioning::kForward))
      .add_edge(make_edge("union", "sink_b", Partitioning::kBroadcast));
  const JobGraph job = build_ok(builder);
  const JobVertex& union_vertex = job.vertex(id_of(job, "union"));
  CHECK(union_vertex.inputs == std::vector<EdgeId>{0, 1});
  CHECK(union_vertex.outputs == std::vector<EdgeId>{2, 3});
  CHECK(job.edge(0).input_gate == 0);
  CHECK(job.edge(1).input_gate == 1);
  CHECK(job.edge(2).output_index == 0);
  CHECK(job.edge(3).output_index == 1);
  CHECK(job.edge(0).from == id_of(job, "right"));
  CHECK(job.edge(0).to == id_of(job, "union"));
  CHECK(job.vertex(id_of(job, "left")).inputs.empty());
  CHECK(job.vertex(id_of(job, "sink_b")).outputs.empty());
}

TEST_CASE("job graph: a cycle closed by an iteration edge is accepted and ignored for ordering",
          "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("tail", OperatorKind::kMap, 2))
      .add_operator(make_operator("src", OperatorKind::kSource, 2))
      .add_operator(make_operator("head", OperatorKind::kMap, 2))
      .add_operator(make_operator("sink", OperatorKind::kSink, 2))
      .add_edge(make_edge("src", "head", Partitioning::kForward))
      .add_edge(make_edge("head", "tail", Partitioning::kRebalance))
      .add_edge(make_edge("tail", "head", Partitioning::kRebalance, /*iteration=*/true))
      .add_edge(make_edge("tail", "sink", Partitioning::kForward));
  const JobGraph job = build_ok(builder);
  std::vector<std::string> names;
  for (const JobVertex& vertex : job.vertices()) names.push_back(vertex.name);
  CHECK(names == std::vector<std::string>{"src", "head", "tail", "sink"});
  CHECK(job.edge(2).iteration);
  CHECK(job.edge(2).from > job.edge(2).to);
  CHECK(job.describe_edge(2) == "'tail' -> 'head' (rebalance, iteration)");
}

TEST_CASE("job graph: an empty graph is rejected", "[unit][graph]") {
  CHECK_THAT(build_error(JobGraphBuilder{}), Catch::Contains("no operators"));
}

TEST_CASE("job graph: a duplicate operator name is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("map", OperatorKind::kFilter, 1));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("duplicate operator name 'map'"));
  CHECK_THAT(message, Catch::Contains("#1 and #3"));
}

TEST_CASE("job graph: an empty operator name is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("", OperatorKind::kFilter, 1));
  CHECK_THAT(build_error(builder), Catch::Contains("operator #3 (filter) has an empty name"));
}

TEST_CASE("job graph: an edge naming an unknown operator is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_edge(make_edge("map", "ghost", Partitioning::kRebalance));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("edge #2 'map' -> 'ghost'"));
  CHECK_THAT(message, Catch::Contains("unknown operator 'ghost'"));
}

TEST_CASE("job graph: a forward edge between different parallelisms is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 2))
      .add_operator(make_operator("map", OperatorKind::kMap, 3))
      .add_operator(make_operator("sink", OperatorKind::kSink, 3))
      .add_edge(make_edge("src", "map", Partitioning::kForward))
      .add_edge(make_edge("map", "sink", Partitioning::kForward));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("edge #0 'src' -> 'map' (forward)"));
  CHECK_THAT(message, Catch::Contains("parallelism 2"));
  CHECK_THAT(message, Catch::Contains("parallelism 3"));
  CHECK_THAT(message, Catch::Contains("equal parallelism"));
}

TEST_CASE("job graph: a parallelism of zero is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kRebalance, Partitioning::kRebalance);
  builder.add_operator(make_operator("idle", OperatorKind::kMap, 0));
  CHECK_THAT(build_error(builder),
             Catch::Contains("operator 'idle' (map): parallelism 0 is out of range; expected 1..32768"));
}

TEST_CASE("job graph: a parallelism above the operator's max parallelism is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 1))
      .add_operator(make_operator("agg", OperatorKind::kKeyedAggregate, 200, 128))
      .add_operator(make_operator("sink", OperatorKind::kSink, 1))
      .add_edge(make_edge("src", "agg", Partitioning::kHashByKey))
      .add_edge(make_edge("agg", "sink", Partitioning::kRebalance));
  CHECK_THAT(build_error(builder), Catch::Contains("operator 'agg' (keyed aggregate): parallelism 200 is out of "
                                                   "range; expected 1..128 (its max parallelism)"));
}

TEST_CASE("job graph: a max parallelism above 32768 is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 1, 40000));
  CHECK_THAT(build_error(builder),
             Catch::Contains("operator 'src' (source): max parallelism 40000 exceeds the upper bound 32768"));
}

TEST_CASE("job graph: a parallelism above 32768 with the default max parallelism is rejected",
          "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("huge", OperatorKind::kSource, 40000));
  CHECK_THAT(build_error(builder), Catch::Contains("operator 'huge' (source): parallelism 40000 is out of range"));
}

TEST_CASE("job graph: a cycle without an iteration edge is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 1))
      .add_operator(make_operator("a", OperatorKind::kMap, 1))
      .add_operator(make_operator("b", OperatorKind::kMap, 1))
      .add_operator(make_operator("c", OperatorKind::kFilter, 1))
      .add_operator(make_operator("sink", OperatorKind::kSink, 1))
      .add_edge(make_edge("src", "a", Partitioning::kForward))
      .add_edge(make_edge("a", "b", Partitioning::kForward))
      .add_edge(make_edge("b", "c", Partitioning::kForward))
      .add_edge(make_edge("c", "a", Partitioning::kForward))
      .add_edge(make_edge("c", "sink", Partitioning::kForward));
  CHECK_THAT(build_error(builder),
             Catch::Contains("operators 'a', 'b', 'c' form a cycle without an iteration edge"));
}

TEST_CASE("job graph: a self-loop without an iteration mark is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(2, Partitioning::kForward, Partitioning::kForward);
  builder.add_edge(make_edge("map", "map", Partitioning::kRebalance));
  CHECK_THAT(build_error(builder), Catch::Contains("edge #2 'map' -> 'map' (rebalance) is a loop on operator 'map'"));
}

TEST_CASE("job graph: a self-loop marked as iteration is accepted", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(2, Partitioning::kForward, Partitioning::kForward);
  builder.add_edge(make_edge("map", "map", Partitioning::kRebalance, /*iteration=*/true));
  const JobGraph job = build_ok(builder);
  CHECK(job.vertex(id_of(job, "map")).inputs == std::vector<EdgeId>{0, 2});
}

TEST_CASE("job graph: an iteration edge that closes no cycle is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(2, Partitioning::kForward, Partitioning::kForward);
  builder.add_edge(make_edge("src", "sink", Partitioning::kRebalance, /*iteration=*/true));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("iteration edge #2 'src' -> 'sink'"));
  CHECK_THAT(message, Catch::Contains("does not close a cycle"));
}

TEST_CASE("job graph: an operator disconnected from the rest is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("lonely_src", OperatorKind::kSource, 1))
      .add_operator(make_operator("lonely_sink", OperatorKind::kSink, 1))
      .add_edge(make_edge("lonely_src", "lonely_sink", Partitioning::kForward));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("operators 'lonely_src', 'lonely_sink' not connected"));
  CHECK_THAT(message, Catch::Contains("containing 'src'"));
}

TEST_CASE("job graph: a graph without a source is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("sink", OperatorKind::kSink, 1));
  CHECK_THAT(build_error(builder), Catch::Contains("no source"));
}

TEST_CASE("job graph: a graph without a sink is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 1))
      .add_operator(make_operator("map", OperatorKind::kMap, 1))
      .add_edge(make_edge("src", "map", Partitioning::kForward));
  CHECK_THAT(build_error(builder), Catch::Contains("no sink"));
}

TEST_CASE("job graph: a source with an input is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("src2", OperatorKind::kSource, 1))
      .add_edge(make_edge("src", "src2", Partitioning::kForward));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("operator 'src2' (source) has an input"));
  CHECK_THAT(message, Catch::Contains("edge #2 'src' -> 'src2'"));
}

TEST_CASE("job graph: a sink with an output is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("after", OperatorKind::kSink, 1))
      .add_edge(make_edge("sink", "after", Partitioning::kForward));
  CHECK_THAT(build_error(builder), Catch::Contains("operator 'sink' (sink) has an output"));
}

TEST_CASE("job graph: a keyed aggregate with a rebalance input is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 2))
      .add_operator(make_operator("agg", OperatorKind::kKeyedAggregate, 2))
      .add_operator(make_operator("sink", OperatorKind::kSink, 2))
      .add_edge(make_edge("src", "agg", Partitioning::kRebalance))
      .add_edge(make_edge("agg", "sink", Partitioning::kForward));
  const std::string message = build_error(builder);
  CHECK_THAT(message, Catch::Contains("operator 'agg' (keyed aggregate) is keyed"));
  CHECK_THAT(message, Catch::Contains("is rebalance"));
  CHECK_THAT(message, Catch::Contains("hash-partitioned"));
}

TEST_CASE("job graph: a sequence checker with a forward input is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 2))
      .add_operator(make_operator("check", OperatorKind::kSequenceChecker, 2))
      .add_operator(make_operator("sink", OperatorKind::kSink, 2))
      .add_edge(make_edge("src", "check", Partitioning::kForward))
      .add_edge(make_edge("check", "sink", Partitioning::kForward));
  CHECK_THAT(build_error(builder), Catch::Contains("operator 'check' (sequence checker) is keyed"));
}

TEST_CASE("job graph: a non-source operator without inputs is rejected", "[unit][graph]") {
  JobGraphBuilder builder = pipeline(1, Partitioning::kForward, Partitioning::kForward);
  builder.add_operator(make_operator("orphan", OperatorKind::kMap, 1))
      .add_edge(make_edge("orphan", "sink", Partitioning::kRebalance));
  CHECK_THAT(build_error(builder), Catch::Contains("operator 'orphan' (map) has no inputs"));
}

TEST_CASE("job graph: more operators than the bound is rejected", "[unit][graph]") {
  JobGraphBuilder builder;
  for (std::uint32_t i = 0; i <= kJobGraphOperatorsMax; ++i) {
    builder.add_operator(make_operator("op" + std::to_string(i), OperatorKind::kMap, 1));
  }
  CHECK_THAT(build_error(builder), Catch::Contains("at most 1024"));
}

TEST_CASE("execution graph: forward edges give p channels and all-to-all edges give p1 x p2",
          "[unit][graph]") {
  CHECK(expand_ok(build_ok(pipeline(4, Partitioning::kForward, Partitioning::kForward))).channel_count() == 8);
  CHECK(expand_ok(build_ok(pipeline(4, Partitioning::kRebalance, Partitioning::kForward))).channel_count() == 20);
  CHECK(expand_ok(build_ok(pipeline(4, Partitioning::kBroadcast, Partitioning::kHashByKey))).channel_count() == 32);

  JobGraphBuilder builder;
  builder.add_operator(make_operator("src", OperatorKind::kSource, 3))
      .add_operator(make_operator("agg", OperatorKind::kKeyedAggregate, 5))
      .add_operator(make_operator("sink", OperatorKind::kSink, 5))
      .add_edge(make_edge("src", "agg", Partitioning::kHashByKey))
      .add_edge(make_edge("agg", "sink", Partitioning::kForward));
  const ExecutionGraph graph = expand_ok(build_ok(builder));
  CHECK(graph.subtask_count() == 13);
  CHECK(graph.channel_count() == 3 * 5 + 5);
}

TEST_CASE("execution graph: subtasks are numbered by operator then subtask index", "[unit][graph]") {
  const ExecutionGraph graph = expand_ok(build_ok(pipeline(3, Partitioning::kForward, Partitioning::kHashByKey)));
  const JobGraph& job = graph.job();
  REQUIRE(graph.subtask_count() == 9);
  CHECK(graph.first_subtask(id_of(job, "src")) == 0);
  CHECK(graph.first_subtask(id_of(job, "map")) == 3);
  CHECK(graph.first_subtask(id_of(job, "sink")) == 6);
  for (SubtaskIndex index = 0; index < graph.subtask_count(); ++index) {
    const ExecutionSubtask& subtask = graph.subtask(index);
    CHECK(subtask.index == index);
    CHECK(graph.subtask_index(subtask.id) == index);
  }
  CHECK(graph.subtask(4).id == SubtaskId{id_of(job, "map"), 1});
  CHECK(graph.describe_subtask(4) == "map (2/3)");
  CHECK(graph.subtask(4).key_groups == key_group_range_for_operator_index(128, 3, 1));
}

TEST_CASE("execution graph: forward channels connect subtask i to subtask i", "[unit][graph]") {
  const ExecutionGraph graph = expand_ok(build_ok(pipeline(3, Partitioning::kForward, Partitioning::kForward)));
  for (const Channel& channel : graph.channels()) {
    const ExecutionSubtask& producer = graph.subtask(channel.producer);
    const ExecutionSubtask& consumer = graph.subtask(channel.consumer);
    CHECK(producer.id.subtask_index == consumer.id.subtask_index);
    CHECK(channel.channel_in_gate == 0);
    CHECK(channel.subpartition == 0);
    CHECK(consumer.input_gates.at(0) == std::vector<ChannelId>{channel.id});
    CHECK(producer.output_partitions.at(0) == std::vector<ChannelId>{channel.id});
  }
}

TEST_CASE("execution graph: gates follow edge order and channels in a gate follow producer index",
          "[unit][graph]") {
  JobGraphBuilder builder;
  builder.add_operator(make_operator("left", OperatorKind::kSource, 2))
      .add_operator(make_operator("right", OperatorKind::kSource, 3))
      .add_operator(make_operator("union", OperatorKind::kMap, 2))
      .add_operator(make_operator("sink", OperatorKind::kSink, 2))
      .add_edge(make_edge("right", "union", Partitioning::kRebalance))
      .add_edge(make_edge("left", "union", Partitioning::kForward))
      .add_edge(make_edge("union", "sink", Partitioning::kForward));
  const ExecutionGraph graph = expand_ok(build_ok(builder));
  const JobGraph& job = graph.job();
  const ExecutionSubtask& union1 = graph.subtask(graph.subtask_index(SubtaskId{id_of(job, "union"), 1}));
  REQUIRE(union1.input_gates.size() == 2);
  REQUIRE(union1.input_gates[0].size() == 3);
  REQUIRE(union1.input_gates[1].size() == 1);
  for (std::uint32_t position = 0; position < 3; ++position) {
    const Channel& channel = graph.channel(union1.input_gates[0][position]);
    CHECK(channel.edge == 0);
    CHECK(channel.input_gate == 0);
    CHECK(channel.channel_in_gate == position);
    CHECK(graph.subtask(channel.producer).id == SubtaskId{id_of(job, "right"), position});
    CHECK(channel.consumer == union1.index);
    CHECK(channel.subpartition == 1);
  }
  const Channel& forward = graph.channel(union1.input_gates[1][0]);
  CHECK(forward.input_gate == 1);
  CHECK(graph.subtask(forward.producer).id == SubtaskId{id_of(job, "left"), 1});

  const ExecutionSubtask& right2 = graph.subtask(graph.subtask_index(SubtaskId{id_of(job, "right"), 2}));
  REQUIRE(right2.output_partitions.size() == 1);
  REQUIRE(right2.output_partitions[0].size() == 2);
  for (std::uint32_t consumer = 0; consumer < 2; ++consumer) {
    const Channel& channel = graph.channel(right2.output_partitions[0][consumer]);
    CHECK(graph.subtask(channel.consumer).id == SubtaskId{id_of(job, "union"), consumer});
  }
}

TEST_CASE("execution graph: channels are numbered by producer subtask, output edge, consumer", "[unit][graph]") {
  const ExecutionGraph graph = expand_ok(build_ok(pipeline(2, Partitioning::kRebalance, Partitioning::kForward)));
  std::vector<std::pair<SubtaskIndex, SubtaskIndex>> wiring;
  for (const Channel& channel : graph.channels()) wiring.emplace_back(channel.producer, channel.consumer);
  // src = {0, 1}, map = {2, 3}, sink = {4, 5}.
  const std::vector<std::pair<SubtaskIndex, SubtaskIndex>> expected{{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 4}, {3, 5}};
  CHECK(wiring == expected);
}

TEST_CASE("execution graph: two forward-only pipelines give one region per subtask index", "[unit][graph]") {
  const ExecutionGraph graph = expand_ok(build_ok(pipeline(2, Partitioning::kForward, Partitioning::kForward)));
  REQUIRE(graph.region_count() == 2);
  CHECK(graph.region(0).subtasks == std::vector<SubtaskIndex>{0, 2, 4});
  CHECK(graph.region(1).subtasks == std::vector<SubtaskIndex>{1, 3, 5});
  CHECK(graph.region_of(3) == 1);
  CHECK(graph.region_of(4) == 0);
}

TEST_CASE("execution graph: a hash edge joins all subtasks into one region", "[unit][graph]") {
  const ExecutionGraph graph = expand_ok(build_ok(pipeline(2, Partitioning::kForward, Partitioning::kHashByKey)));
  REQUIRE(graph.region_count() == 1);
  CHECK(graph.region(0).subtasks == std::vector<SubtaskIndex>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("execution graph: an expansion above the channel limit is refused", "[unit][graph]") {
  const JobGraph job = build_ok(pipeline(100, Partitioning::kRebalance, Partitioning::kForward));
  const Result<ExecutionGraph> refused = ExecutionGraph::expand(job, ExpansionLimits{1000, 5000});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kResourceExhausted);
  CHECK_THAT(refused.status().message(), Catch::Contains("10100 channels"));
  const Result<ExecutionGraph> too_many_subtasks = ExecutionGraph::expand(job, ExpansionLimits{299, 1u << 20});
  REQUIRE_FALSE(too_many_subtasks.is_ok());
  CHECK_THAT(too_many_subtasks.status().message(), Catch::Contains("300 subtasks"));
  CHECK(ExecutionGraph::expand(job, ExpansionLimits{300, 10100}).is_ok());
}

// Checks the wiring invariants of an expansion inside a RapidCheck property.
void check_expansion_invariants(const ExecutionGraph& graph) {
  const JobGraph& job = graph.job();
  std::uint64_t expected_channels = 0;
  for (const JobEdge& edge : job.edges()) {
    const std::uint64_t from = job.vertex(edge.from).parallelism;
    const std::uint64_t to = job.vertex(edge.to).parallelism;
    expected_channels += is_all_to_all(edge.partitioning) ? from * to : from;
  }
  RC_ASSERT(graph.channel_count() == expected_channels);
  for (const Channel& channel : graph.channels()) {
    const JobEdge& edge = job.edge(channel.edge);
    const ExecutionSubtask& producer = graph.subtask(channel.producer);
    const ExecutionSubtask& consumer = graph.subtask(channel.consumer);
    RC_ASSERT(producer.id.operator_id == edge.from);
    RC_ASSERT(consumer.id.operator_id == edge.to);
    RC_ASSERT(consumer.input_gates.at(channel.input_gate).at(channel.channel_in_gate) == channel.id);
    RC_ASSERT(producer.output_partitions.at(channel.output_index).at(channel.subpartition) == channel.id);
    RC_ASSERT(producer.region == consumer.region);
  }
  std::uint32_t region_members = 0;
  SubtaskIndex previous_smallest = 0;
  for (const PipelinedRegion& region : graph.regions()) {
    RC_ASSERT(!region.subtasks.empty());
    RC_ASSERT(region.id == 0 || region.subtasks.front() > previous_smallest);
    previous_smallest = region.subtasks.front();
    for (const SubtaskIndex member : region.subtasks) RC_ASSERT(graph.region_of(member) == region.id);
    region_members += static_cast<std::uint32_t>(region.subtasks.size());
  }
  RC_ASSERT(region_members == graph.subtask_count());
}

TEST_CASE("execution graph: random chains expand with consistent wiring and regions", "[property][graph]") {
  rc::prop("a chain is forward-only with equal parallelism exactly when it has p regions", [] {
    const auto length = *rc::gen::inRange<std::uint32_t>(2, 7);
    JobGraphBuilder builder;
    bool all_forward = true;
    std::uint32_t previous_parallelism = 0;
    for (std::uint32_t i = 0; i < length; ++i) {
      const OperatorKind kind =
          i == 0 ? OperatorKind::kSource : (i + 1 == length ? OperatorKind::kSink : OperatorKind::kMap);
      const auto parallelism = *rc::gen::inRange<std::uint32_t>(1, 6);
      builder.add_operator(make_operator("op" + std::to_string(i), kind, parallelism));
      if (i == 0) {
        previous_parallelism = parallelism;
        continue;
      }
      auto partitioning = *rc::gen::element(Partitioning::kForward, Partitioning::kHashByKey,
                                            Partitioning::kRebalance, Partitioning::kBroadcast);
      if (parallelism != previous_parallelism && partitioning == Partitioning::kForward) {
        partitioning = Partitioning::kRebalance;
      }
      all_forward = all_forward && partitioning == Partitioning::kForward;
      builder.add_edge(make_edge("op" + std::to_string(i - 1), "op" + std::to_string(i), partitioning));
      previous_parallelism = parallelism;
    }
    Result<JobGraph> job = builder.build();
    RC_ASSERT(job.is_ok());
    for (OperatorId id = 0; id < length; ++id) RC_ASSERT(job.value().vertex(id).name == "op" + std::to_string(id));
    Result<ExecutionGraph> graph = ExecutionGraph::expand(job.value());
    RC_ASSERT(graph.is_ok());
    check_expansion_invariants(graph.value());
    const std::uint32_t expected_regions = all_forward ? job.value().vertex(0).parallelism : 1;
    RC_ASSERT(graph.value().region_count() == expected_regions);
  });
}

TEST_CASE("job graph: arbitrary edge lists are rejected with a message or accepted in order",
          "[property][graph]") {
  rc::prop("build never crashes and accepted graphs keep their invariants", [] {
    const auto operator_count = *rc::gen::inRange<std::uint32_t>(1, 7);
    JobGraphBuilder builder;
    for (std::uint32_t i = 0; i < operator_count; ++i) {
      const auto kind = *rc::gen::element(OperatorKind::kSource, OperatorKind::kMap, OperatorKind::kFilter,
                                          OperatorKind::kKeyedAggregate, OperatorKind::kSequenceChecker,
                                          OperatorKind::kSink);
      builder.add_operator(make_operator("op" + std::to_string(i), kind, *rc::gen::inRange<std::uint32_t>(1, 4)));
    }
    const auto edge_count = *rc::gen::inRange<std::uint32_t>(0, 9);
    for (std::uint32_t e = 0; e < edge_count; ++e) {
      const auto from = *rc::gen::inRange<std::uint32_t>(0, operator_count + 1);
      const auto to = *rc::gen::inRange<std::uint32_t>(0, operator_count);
      const auto partitioning = *rc::gen::element(Partitioning::kForward, Partitioning::kHashByKey,
                                                  Partitioning::kRebalance, Partitioning::kBroadcast);
      builder.add_edge(make_edge("op" + std::to_string(from), "op" + std::to_string(to), partitioning,
                                 *rc::gen::inRange(0, 4) == 0));
    }
    const Result<JobGraph> job = builder.build();
    if (!job.is_ok()) {
      RC_ASSERT(!job.status().message().empty());
      return;
    }
    for (const JobEdge& edge : job.value().edges()) RC_ASSERT(edge.iteration || edge.from < edge.to);
  });
}

// A random job that is valid by construction, except for one optional back edge whose
// validity the generator decides independently of the code under test.
struct GeneratedJob {
  JobGraphBuilder builder;
  bool expect_valid = true;
};

Partitioning pick_partitioning(OperatorKind target, std::uint32_t from_parallelism, std::uint32_t to_parallelism) {
  if (is_keyed(target)) return Partitioning::kHashByKey;
  const Partitioning pick = *rc::gen::element(Partitioning::kForward, Partitioning::kHashByKey,
                                              Partitioning::kRebalance, Partitioning::kBroadcast);
  return pick == Partitioning::kForward && from_parallelism != to_parallelism ? Partitioning::kRebalance : pick;
}

GeneratedJob generate_job() {
  const auto n = *rc::gen::inRange<std::uint32_t>(2, 8);
  std::vector<OperatorKind> kinds(n, OperatorKind::kSource);
  std::vector<std::uint32_t> parallelism(n, 1);
  GeneratedJob job;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i == n - 1) kinds[i] = OperatorKind::kSink;
    if (i > 0 && i < n - 1) {
      kinds[i] = *rc::gen::element(OperatorKind::kMap, OperatorKind::kFilter, OperatorKind::kKeyedAggregate,
                                   OperatorKind::kSequenceChecker);
    }
    parallelism[i] = *rc::gen::inRange<std::uint32_t>(1, 4);
    job.builder.add_operator(make_operator("op" + std::to_string(i), kinds[i], parallelism[i]));
  }
  // reaches[a][b]: a path a -> b exists. Edges only go from lower to higher index here.
  std::vector<std::vector<bool>> reaches(n, std::vector<bool>(n, false));
  const auto add_forward_edge = [&](std::uint32_t from, std::uint32_t to) {
    job.builder.add_edge(make_edge("op" + std::to_string(from), "op" + std::to_string(to),
                                   pick_partitioning(kinds[to], parallelism[from], parallelism[to])));
    for (std::uint32_t a = 0; a < n; ++a) {
      if (a != from && !reaches[a][from]) continue;
      reaches[a][to] = true;
      for (std::uint32_t b = 0; b < n; ++b) reaches[a][b] = reaches[a][b] || reaches[to][b];
    }
  };
  for (std::uint32_t to = 1; to < n; ++to) add_forward_edge(*rc::gen::inRange<std::uint32_t>(0, to), to);
  const auto extra_edges = *rc::gen::inRange<std::uint32_t>(0, 4);
  for (std::uint32_t e = 0; e < extra_edges; ++e) {
    const auto to = *rc::gen::inRange<std::uint32_t>(1, n);
    add_forward_edge(*rc::gen::inRange<std::uint32_t>(0, to), to);
  }
  if (n >= 3 && *rc::gen::inRange(0, 2) == 0) {
    const auto from = *rc::gen::inRange<std::uint32_t>(1, n - 1);
    const auto to = *rc::gen::inRange<std::uint32_t>(1, from + 1);
    const bool iteration = *rc::gen::arbitrary<bool>();
    const bool closes_cycle = from == to || reaches[to][from];
    job.expect_valid = iteration ? closes_cycle : !closes_cycle;
    job.builder.add_edge(make_edge("op" + std::to_string(from), "op" + std::to_string(to),
                                   pick_partitioning(kinds[to], parallelism[from], parallelism[to]), iteration));
  }
  return job;
}

TEST_CASE("job graph: random jobs are accepted exactly when every cycle has an iteration edge",
          "[property][graph]") {
  rc::prop("acceptance matches the generator's verdict and accepted jobs expand consistently", [] {
    const GeneratedJob generated = generate_job();
    const Result<JobGraph> job = generated.builder.build();
    RC_ASSERT(job.is_ok() == generated.expect_valid);
    if (!job.is_ok()) {
      RC_ASSERT(job.status().message().find("cycle") != std::string::npos);
      return;
    }
    for (const JobEdge& edge : job.value().edges()) {
      RC_ASSERT(edge.iteration || edge.from < edge.to);
      RC_ASSERT(job.value().vertex(edge.to).inputs.at(edge.input_gate) == edge.id);
    }
    Result<ExecutionGraph> graph = ExecutionGraph::expand(job.value());
    RC_ASSERT(graph.is_ok());
    check_expansion_invariants(graph.value());
  });
}

}  // namespace
}  // namespace ckptsim
