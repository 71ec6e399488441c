// Properties of the oracle on random small jobs and inputs: a perfect run passes, and the
// committed-output digest depends only on what was committed — not on how the records
// were split into transactions, nor on the order of commits, nor on a failure and replay.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

#include "oracle/checkers.h"
#include "perfect_run.h"

namespace ckptsim::oracle {
namespace {

JobSpec random_job() {
  const int shape = *rc::gen::inRange(0, 6);
  switch (shape) {
    case 0: {
      JobSpec job = testing::aggregate_pipeline_job();
      job.operators[0].parallelism = *rc::gen::inRange<std::uint32_t>(1, 4);
      const std::uint32_t downstream = *rc::gen::inRange<std::uint32_t>(1, 4);
      job.operators[1].parallelism = downstream;
      job.operators[2].parallelism = downstream;
      return job;
    }
    case 1: return testing::diamond_job(*rc::gen::arbitrary<bool>());
    case 2: return testing::filter_job(*rc::gen::inRange<std::int64_t>(0, 6));
    case 3: return testing::broadcast_job();
    case 4: return testing::sequence_checker_job();
    default: {
      JobSpec job = testing::filter_job(*rc::gen::inRange<std::int64_t>(0, 4));
      job.sink_guarantee = SinkGuarantee::kAtLeastOnce;
      return job;
    }
  }
}

OracleConfig random_config() {
  JobSpec job = random_job();
  const sim::InputLogSpec input = testing::small_input(*rc::gen::arbitrary<std::uint64_t>(),
                                                        *rc::gen::inRange<std::uint32_t>(1, 5),
                                                        *rc::gen::inRange<std::uint64_t>(0, 25),
                                                        *rc::gen::inRange<std::uint64_t>(1, 7));
  return testing::make_config(std::move(job), input);
}

testing::PerfectRunOptions random_options() {
  testing::PerfectRunOptions options;
  options.checkpoints = *rc::gen::inRange<std::uint32_t>(1, 5);
  options.commit_order_seed = *rc::gen::arbitrary<std::uint64_t>();
  if (*rc::gen::arbitrary<bool>()) {
    options.fail_at_checkpoint = *rc::gen::inRange<CheckpointId>(1, static_cast<CheckpointId>(options.checkpoints) + 1);
  }
  return options;
}

TEST_CASE("oracle: perfect runs of random jobs pass, with a split- and order-independent digest",
          "[property][oracle]") {
  rc::prop("perfect run passes", [] {
    const OracleConfig config = random_config();
    const testing::PerfectRunOptions first_options = random_options();
    const testing::PerfectRunOptions second_options = random_options();
    const Verdict first = judge(config, testing::perfect_run(config, first_options));
    const Verdict second = judge(config, testing::perfect_run(config, second_options));
    RC_LOG() << testing::describe(first) << testing::describe(second);
    RC_ASSERT(first.passed());
    RC_ASSERT(second.passed());
    RC_ASSERT(first.committed_output_digest == second.committed_output_digest);
    RC_ASSERT(first.committed_output_digest == first.reference_output_digest);
    RC_ASSERT(first.duplicates == 0u);
  });
}

TEST_CASE("oracle: dropping any one committed record of a random run is caught", "[property][oracle]") {
  rc::prop("one record lost", [] {
    const OracleConfig config = random_config();
    RunObservations observations = testing::perfect_run(config, random_options());
    std::vector<std::uint32_t> committed_batches;
    for (const ObservedEvent& event : observations.events) {
      if (event.kind != ObservedKind::kStoreCommitted) continue;
      const std::uint32_t prepare = testing::find_store_event(observations, ObservedKind::kStorePrepared,
                                                              observations.transactions[event.transaction].name);
      if (observations.batches[observations.events[prepare].batch].count > 0) {
        committed_batches.push_back(observations.events[prepare].batch);
      }
    }
    RC_PRE(!committed_batches.empty());
    const std::uint32_t batch = *rc::gen::elementOf(committed_batches);
    std::vector<Record> records = testing::batch_copy(observations, batch);
    records.erase(records.begin() + *rc::gen::inRange<std::size_t>(0, records.size()));
    testing::rewrite_batch(observations, batch, records);
    const Verdict verdict = judge(config, observations);
    RC_ASSERT(testing::has_violation(verdict, kOutputNoLoss));
    RC_ASSERT(verdict.committed_output_digest != verdict.reference_output_digest);
  });
}

}  // namespace
}  // namespace ckptsim::oracle
