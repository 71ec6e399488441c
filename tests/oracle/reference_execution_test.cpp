// The reference execution follows the operator semantics of job_spec.h, and the topology
// analysis says when order, agg_count sequences and sequence-checker counts are checkable.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <vector>

#include "oracle/job_topology.h"
#include "oracle/reference_execution.h"
#include "perfect_run.h"

namespace ckptsim::oracle {
namespace {

using testing::small_input;

std::uint64_t total(const std::vector<ExpectedOutput>& outputs) {
  std::uint64_t sum = 0;
  for (const ExpectedOutput& output : outputs) sum += output.multiplicity;
  return sum;
}

TEST_CASE("reference: broadcast multiplies every lineage by the consumer parallelism", "[unit][oracle]") {
  const JobTopology topology = JobTopology::from_spec(testing::broadcast_job());
  const sim::InputLog input(small_input(1, 2, 10, 3));
  const ReferenceResult result = compute_reference(topology, input);
  const OperatorIndex sink = *topology.find("sink");
  REQUIRE(result.outputs[sink].size() == 20);
  for (const ExpectedOutput& output : result.outputs[sink]) CHECK(output.multiplicity == 3);
  CHECK(topology.arriving(sink).copies == 3);
  CHECK(topology.order_checkable(sink));
  CHECK_FALSE(topology.counting_aggregate_for(sink).has_value());
}

TEST_CASE("reference: map transforms the value, filter drops multiples of its modulus", "[unit][oracle]") {
  const JobTopology topology = JobTopology::from_spec(testing::filter_job(4));
  const sim::InputLog input(small_input(2, 3, 50, 5));
  const ReferenceResult result = compute_reference(topology, input);
  std::map<std::uint64_t, AggregateValue> expected;
  for (std::uint32_t p = 0; p < 3; ++p) {
    for (std::uint64_t o = 0; o < 50; ++o) {
      const Record record = input.read(p, o);
      if (record.value % 4 == 0) continue;
      expected[record.key].count += 1;
      expected[record.key].sum += record.value;
    }
  }
  const OperatorIndex agg = *topology.find("agg");
  REQUIRE(result.aggregates[agg].size() == expected.size());
  for (const KeyedAggregateEntry& entry : result.aggregates[agg]) {
    CHECK(entry.count == expected.at(entry.key).count);
    CHECK(entry.sum == expected.at(entry.key).sum);
  }
  const OperatorIndex sink = *topology.find("sink");
  std::uint64_t kept = 0;
  for (const auto& [key, value] : expected) kept += value.count;
  CHECK(total(result.outputs[sink]) == kept);
  CHECK(topology.counting_aggregate_for(sink) == agg);
}

TEST_CASE("reference: a diamond delivers each lineage once per path", "[unit][oracle]") {
  const sim::InputLog input(small_input(3, 2, 20, 4));
  const JobTopology distinct = JobTopology::from_spec(testing::diamond_job(false));
  const OperatorIndex sink = *distinct.find("sink");
  const ReferenceResult different = compute_reference(distinct, input);
  CHECK(different.outputs[sink].size() == 80);  // two values per lineage
  for (const ExpectedOutput& output : different.outputs[sink]) CHECK(output.multiplicity == 1);
  const JobTopology same = JobTopology::from_spec(testing::diamond_job(true));
  const ReferenceResult equal = compute_reference(same, input);
  CHECK(equal.outputs[sink].size() == 40);  // one identity, twice
  for (const ExpectedOutput& output : equal.outputs[sink]) CHECK(output.multiplicity == 2);
  CHECK(same.arriving(sink).copies == 2);
  CHECK(same.order_checkable(sink));
}

TEST_CASE("reference: the map computes value * multiplier + addend", "[unit][oracle]") {
  const JobTopology topology = JobTopology::from_spec(testing::diamond_job(false));
  const sim::InputLog input(small_input(4, 1, 1, 1));
  const ReferenceResult result = compute_reference(topology, input);
  const std::int64_t value = input.read(0, 0).value;
  const auto& outputs = result.outputs[*topology.find("sink")];
  REQUIRE(outputs.size() == 2);
  const std::int64_t a = outputs[0].identity.value;
  const std::int64_t b = outputs[1].identity.value;
  CHECK(std::min(a, b) == std::min(value * 3 + 1, value * 5 + 2));
  CHECK(std::max(a, b) == std::max(value * 3 + 1, value * 5 + 2));
}

TEST_CASE("reference: advancing through prefixes equals computing the prefix afresh", "[unit][oracle]") {
  const JobTopology topology = JobTopology::from_spec(testing::aggregate_pipeline_job());
  const sim::InputLog input(small_input(5, 3, 30, 6));
  ReferenceExecution incremental(topology, input, /*keep_sink_records=*/true);
  InputPrefix prefix = InputPrefix::empty(topology, input.spec());
  for (std::uint64_t step = 1; step <= 3; ++step) {
    prefix.next_offsets[0] = {step * 10, step * 7, step * 3};
    incremental.advance_to(prefix);
    const ReferenceResult fresh = compute_reference_prefix(topology, input, prefix);
    const ReferenceResult again = summarize(topology, incremental);
    const OperatorIndex sink = *topology.find("sink");
    const OperatorIndex agg = *topology.find("agg");
    CHECK(again.outputs[sink].size() == fresh.outputs[sink].size());
    CHECK(again.aggregates[agg] == fresh.aggregates[agg]);
    CHECK(again.output_digest == fresh.output_digest);
    CHECK(incremental.sink_count(sink) == prefix.next_offsets[0][0] + prefix.next_offsets[0][1] + prefix.next_offsets[0][2]);
  }
}

TEST_CASE("reference: sequence checker expectations follow the paths into it", "[unit][oracle]") {
  const JobTopology checker_job = JobTopology::from_spec(testing::sequence_checker_job());
  const OperatorIndex checker = *checker_job.find("checker");
  CHECK(checker_job.expected_sequence_violations(checker) == std::optional<std::uint64_t>(0));
  CHECK_FALSE(checker_job.order_checkable(*checker_job.find("sink")));  // rebalance into the sink

  JobSpec rebalanced = testing::sequence_checker_job();
  rebalanced.operators.insert(rebalanced.operators.begin() + 1, OperatorSpec{"map", OperatorKind::kMap, 2, 0});
  rebalanced.edges = {EdgeSpec{"source", "map", Partitioning::kRebalance, false},
                      EdgeSpec{"map", "checker", Partitioning::kHashByKey, false},
                      EdgeSpec{"checker", "sink", Partitioning::kRebalance, false}};
  const JobTopology reordering = JobTopology::from_spec(rebalanced);
  CHECK_FALSE(reordering.expected_sequence_violations(*reordering.find("checker")).has_value());
}

}  // namespace
}  // namespace ckptsim::oracle
