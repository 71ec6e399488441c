// Scenarios for the oracle's checkers: a perfect run of each small job passes every
// property, and one planted bug fails exactly the property that names it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "oracle/checkers.h"
#include "oracle/job_topology.h"
#include "oracle/reference_execution.h"
#include "perfect_run.h"

namespace ckptsim::oracle {
namespace {

using testing::aggregate_pipeline_job;
using testing::find_event;
using testing::find_store_event;
using testing::has_violation;
using testing::make_config;
using testing::perfect_run;
using testing::small_input;

// The only property that failed, or "" when none or several did.
std::string only_failed_property(const Verdict& verdict) {
  std::string failed;
  for (const CheckerResult& result : verdict.results) {
    if (result.status != CheckStatus::kFailed) continue;
    if (!failed.empty()) return "";
    failed = result.property;
  }
  return failed;
}

// The earliest violation of `property` (asserts there is one).
const Violation& violation_of(const Verdict& verdict, std::string_view property) {
  for (const Violation& violation : verdict.violations) {
    if (violation.property == property) return violation;
  }
  FAIL("no violation of " << property << "; got:\n" << testing::describe(verdict));
  return verdict.violations.front();
}

OracleConfig pipeline_config() { return make_config(aggregate_pipeline_job(), small_input(7)); }

// A committed batch of sink subtask 0 with at least two records, by its transaction name.
std::uint32_t committed_batch(const RunObservations& observations, const std::string& txn) {
  const std::uint32_t prepare = find_store_event(observations, ObservedKind::kStorePrepared, txn);
  return observations.events[prepare].batch;
}

TEST_CASE("oracle: a perfect run of each small job passes every property", "[unit][oracle]") {
  const std::vector<JobSpec> jobs = {aggregate_pipeline_job(), testing::diamond_job(false), testing::diamond_job(true),
                                     testing::filter_job(3), testing::broadcast_job(), testing::sequence_checker_job()};
  for (const JobSpec& job : jobs) {
    const OracleConfig config = make_config(job, small_input(11));
    const Verdict verdict = judge(config, perfect_run(config));
    INFO(testing::describe(verdict));
    CHECK(verdict.passed());
    CHECK(verdict.committed_output_digest == verdict.reference_output_digest);
    CHECK(verdict.duplicates == 0);
    CHECK(verdict.committed_records == verdict.expected_records);
    CHECK(verdict.result(kOutputNoLoss)->status == CheckStatus::kPassed);
    CHECK(verdict.result(kCutConsistent)->status == CheckStatus::kPassed);
    CHECK(verdict.result(kStateFinal)->status == CheckStatus::kPassed);
    CHECK(verdict.result(kLivenessFinish)->status == CheckStatus::kPassed);
  }
}

TEST_CASE("oracle: the pipeline checks agg_count sequences and order", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  const Verdict verdict = judge(config, perfect_run(config));
  REQUIRE(verdict.passed());
  CHECK(verdict.result(kOutputAggregateCounts)->status == CheckStatus::kPassed);
  CHECK(verdict.result(kOutputOrder)->status == CheckStatus::kPassed);
  CHECK(verdict.result(kOutputAggregateCounts)->checked == 4);  // one per key
}

TEST_CASE("oracle: a perfect run with a failure and a restore passes", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  testing::PerfectRunOptions options;
  options.checkpoints = 4;
  options.fail_at_checkpoint = 3;
  const Verdict verdict = judge(config, perfect_run(config, options));
  INFO(testing::describe(verdict));
  CHECK(verdict.passed());
  CHECK(verdict.result(kRecoveryRestoredState)->status == CheckStatus::kPassed);
  CHECK(verdict.result(kRecoveryRestoredNotCompleted)->status == CheckStatus::kPassed);
}

TEST_CASE("oracle: a failure before the first checkpoint restores from scratch and passes", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  testing::PerfectRunOptions options;
  options.fail_at_checkpoint = 1;
  const Verdict verdict = judge(config, perfect_run(config, options));
  INFO(testing::describe(verdict));
  CHECK(verdict.passed());
}

TEST_CASE("oracle: one dropped record fails output.no_loss and names its lineage", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t batch = committed_batch(observations, "sink/0/2");
  std::vector<Record> records = testing::batch_copy(observations, batch);
  REQUIRE(records.size() >= 2);
  const Record dropped = records.back();
  records.pop_back();
  testing::rewrite_batch(observations, batch, records);
  const Verdict verdict = judge(config, observations);
  const Violation& loss = violation_of(verdict, kOutputNoLoss);
  CHECK_THAT(loss.explanation, Catch::Contains("offset " + std::to_string(dropped.offset)));
  CHECK_THAT(loss.explanation, Catch::Contains("committed 0 times, expected 1"));
  CHECK(loss.event_index == observations.events.back().event_index);  // judged when the run ended
  // The transaction was already short when checkpoint 2 completed: its cut is inconsistent,
  // which is found earlier. The gap in the key's agg_count sequence is reported too.
  CHECK(verdict.first_violation()->property == std::string(kCutConsistent));
  CHECK(has_violation(verdict, kOutputAggregateCounts));
  CHECK_FALSE(has_violation(verdict, kOutputNoDuplicates));
}

TEST_CASE("oracle: one duplicated record fails output.no_duplicates at its commit", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t batch = committed_batch(observations, "sink/1/1");
  std::vector<Record> records = testing::batch_copy(observations, batch);
  REQUIRE(!records.empty());
  const Record copy = records.at(0);
  records.push_back(copy);
  testing::rewrite_batch(observations, batch, records);
  const Verdict verdict = judge(config, observations);
  const std::uint32_t commit = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/1/1");
  const Violation& duplicate = violation_of(verdict, kOutputNoDuplicates);
  CHECK(duplicate.event_index == observations.events[commit].event_index);
  CHECK(duplicate.time_ns == observations.events[commit].time_ns);
  CHECK_THAT(duplicate.explanation, Catch::Contains("committed 2 times, expected 1"));
  CHECK(has_violation(verdict, kCutConsistent));  // checkpoint 1 already held the copy
  CHECK(verdict.duplicates == 1);
  CHECK_FALSE(has_violation(verdict, kOutputNoLoss));
}

TEST_CASE("oracle: at-least-once output counts duplicates without failing", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.job.sink_guarantee = SinkGuarantee::kAtLeastOnce;
  RunObservations observations = perfect_run(config);
  const std::uint32_t batch = committed_batch(observations, "sink/1/1");
  std::vector<Record> records = testing::batch_copy(observations, batch);
  records.insert(records.end(), records.begin(), records.end());
  testing::rewrite_batch(observations, batch, records);
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(verdict.passed());
  CHECK(verdict.duplicates == records.size() / 2);
  CHECK(verdict.result(kOutputNoDuplicates)->status == CheckStatus::kSkipped);
}

TEST_CASE("oracle: a duplicated agg_count fails output.aggregate_counts naming the key", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t batch = committed_batch(observations, "sink/0/3");
  std::vector<Record> records = testing::batch_copy(observations, batch);
  auto it = std::find_if(records.begin(), records.end(), [](const Record& r) { return r.agg_count >= 2; });
  REQUIRE(it != records.end());
  it->agg_count -= 1;
  testing::rewrite_batch(observations, batch, records);
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kOutputAggregateCounts));
  const Violation& counts = violation_of(verdict, kOutputAggregateCounts);
  CHECK_THAT(counts.explanation, Catch::Contains("key " + std::to_string(it->key)));
  CHECK_THAT(counts.explanation, Catch::Contains("twice"));
}

TEST_CASE("oracle: records of one partition and key committed out of order fail output.order", "[unit][oracle]") {
  const OracleConfig config = make_config(aggregate_pipeline_job(), small_input(7, 2, 60, 2));
  RunObservations observations = perfect_run(config);
  bool swapped = false;
  for (std::uint32_t b = 0; b < observations.batches.size() && !swapped; ++b) {
    std::vector<Record> records = testing::batch_copy(observations, b);
    for (std::size_t i = 0; i < records.size() && !swapped; ++i) {
      for (std::size_t j = i + 1; j < records.size() && !swapped; ++j) {
        if (records[i].partition != records[j].partition || records[i].key != records[j].key) continue;
        // Swap the lineage only: agg_count stays in place, so only order is wrong.
        std::swap(records[i].offset, records[j].offset);
        std::swap(records[i].value, records[j].value);
        testing::rewrite_batch(observations, b, records);
        swapped = true;
      }
    }
  }
  REQUIRE(swapped);
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(only_failed_property(verdict) == std::string(kOutputOrder));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("committed after offset"));
}

TEST_CASE("oracle: a commit for a checkpoint that never completed fails the sink check", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  // Checkpoint 3, the last one, "never completes": its completion report disappears.
  const std::uint32_t completion = find_event(observations, ObservedKind::kCheckpointCompleted, 2);
  REQUIRE(observations.events[completion].checkpoint_id == 3);
  observations.events.erase(observations.events.begin() + completion);
  const Verdict verdict = judge(config, observations);
  REQUIRE(has_violation(verdict, kSinkCommitWithoutCompleted));
  const Violation& first = *verdict.first_violation();
  CHECK(first.property == std::string(kSinkCommitWithoutCompleted));
  CHECK_THAT(first.explanation, Catch::Contains("checkpoint 3"));
}

TEST_CASE("oracle: a transaction applied twice fails sink.double_commit", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t commit = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/0/1");
  ObservedEvent again = observations.events[commit];
  observations.events.insert(observations.events.begin() + commit + 1, again);
  const Verdict verdict = judge(config, observations);
  CHECK(has_violation(verdict, kSinkDoubleCommit));
  CHECK(has_violation(verdict, kOutputNoDuplicates));
  CHECK(verdict.first_violation()->event_index == again.event_index);
}

TEST_CASE("oracle: a repeated commit the store did not apply passes", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t commit = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/0/1");
  ObservedEvent again = observations.events[commit];
  again.kind = ObservedKind::kStoreCommitRepeated;
  observations.events.insert(observations.events.begin() + commit + 1, again);
  CHECK(judge(config, observations).passed());
}

TEST_CASE("oracle: a lower checkpoint committed after a higher one fails sink.commit_order", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t first = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/0/1");
  const std::uint32_t second = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/0/2");
  testing::move_event_after(observations, first, second);
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(only_failed_property(verdict) == std::string(kSinkCommitOrder));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("'sink/0/1'"));
}

TEST_CASE("oracle: a snapshot that includes a record after the barrier fails cut.consistent", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  // Source subtask 0 of checkpoint 1 snapshots one offset less than the aggregate consumed:
  // the aggregate's state includes a record from after the source's barrier.
  const std::uint32_t capture = find_event(observations, ObservedKind::kSnapshotCaptured, 0);
  OperatorStateView& view = observations.views[observations.events[capture].view];
  REQUIRE(view.kind == OperatorKind::kSource);
  REQUIRE(observations.events[capture].checkpoint_id == 1);
  REQUIRE(view.source_next_offsets.front().second > 0);
  view.source_next_offsets.front().second -= 1;
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(only_failed_property(verdict) == std::string(kCutConsistent));
  const std::uint32_t completion = find_event(observations, ObservedKind::kCheckpointCompleted, 0);
  CHECK(verdict.first_violation()->event_index == observations.events[completion].event_index);
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("checkpoint 1"));
}

TEST_CASE("oracle: a sink whose pending transaction misses a record fails cut.consistent", "[unit][oracle]") {
  const OracleConfig config = make_config(testing::diamond_job(false), small_input(3));
  RunObservations observations = perfect_run(config);
  // Record the last record of transaction sink/1/2 under checkpoint 3's transaction instead:
  // the output stays complete, but checkpoint 2's cut lacks a record its sources consumed.
  const std::uint32_t from = committed_batch(observations, "sink/1/2");
  const std::uint32_t to = committed_batch(observations, "sink/1/3");
  std::vector<Record> from_records = testing::batch_copy(observations, from);
  std::vector<Record> to_records = testing::batch_copy(observations, to);
  REQUIRE(!from_records.empty());
  to_records.insert(to_records.begin(), from_records.back());
  from_records.pop_back();
  testing::rewrite_batch(observations, from, from_records);
  testing::rewrite_batch(observations, to, to_records);
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(only_failed_property(verdict) == std::string(kCutConsistent));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("checkpoint 2"));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("held 0 times, expected 1"));
}

TEST_CASE("oracle: final state off by one fails state.final", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  std::uint32_t nth = 0;
  for (;; ++nth) {
    const std::uint32_t finished = find_event(observations, ObservedKind::kTaskFinished, nth);
    OperatorStateView& view = observations.views[observations.events[finished].view];
    if (view.kind != OperatorKind::kKeyedAggregate || view.keyed_aggregates.empty()) continue;
    view.keyed_aggregates.front().count += 1;
    break;
  }
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kStateFinal));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("reference (count"));
}

TEST_CASE("oracle: sequence violations in a final state that must have none fail state.final", "[unit][oracle]") {
  JobSpec job = testing::sequence_checker_job();
  job.edges[1].partitioning = Partitioning::kForward;  // checker(2) -> sink(3) is not forward-able
  job.operators[2].parallelism = 2;
  const OracleConfig config = make_config(job, small_input(5));
  RunObservations observations = perfect_run(config);
  const std::uint32_t finished = find_event(observations, ObservedKind::kTaskFinished, 2);
  OperatorStateView& view = observations.views[observations.events[finished].view];
  REQUIRE(view.kind == OperatorKind::kSequenceChecker);
  view.sequence_violations = 1;
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kStateFinal));
}

TEST_CASE("oracle: completion later than the liveness bound fails liveness.finish", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.liveness_bound_ns = 10 * kMillisecond;  // the perfect run takes far longer
  const Verdict verdict = judge(config, perfect_run(config));
  CHECK(only_failed_property(verdict) == std::string(kLivenessFinish));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("later than the bound"));

  config.check_liveness = false;
  CHECK(judge(config, perfect_run(config)).passed());
}

TEST_CASE("oracle: a job that never finishes fails liveness.finish at the end of the run", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  std::erase_if(observations.events, [](const ObservedEvent& e) {
    return e.kind == ObservedKind::kJobFinished || e.kind == ObservedKind::kAllInputCompleted;
  });
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kLivenessFinish));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("did not finish"));
  CHECK(verdict.first_violation()->event_index == observations.events.back().event_index);
  CHECK(verdict.result(kOutputNoLoss)->status == CheckStatus::kSkipped);
}

TEST_CASE("oracle: restoring a checkpoint that never completed fails recovery.restored_not_completed",
          "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  testing::PerfectRunOptions options;
  options.checkpoints = 4;
  options.fail_at_checkpoint = 3;
  RunObservations observations = perfect_run(config, options);
  const std::uint32_t restore = find_event(observations, ObservedKind::kJobRestore);
  observations.events[restore].checkpoint_id = 3;
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kRecoveryRestoredNotCompleted));
}

TEST_CASE("oracle: restoring an older checkpoint than the latest fails recovery.restored_not_latest", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  testing::PerfectRunOptions options;
  options.checkpoints = 4;
  options.fail_at_checkpoint = 3;
  RunObservations observations = perfect_run(config, options);
  const std::uint32_t restore = find_event(observations, ObservedKind::kJobRestore);
  observations.events[restore].checkpoint_id = 1;
  const Verdict verdict = judge(config, observations);
  CHECK(has_violation(verdict, kRecoveryRestoredNotLatest));
}

TEST_CASE("oracle: restored state that differs from the snapshot fails recovery.restored_state", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  testing::PerfectRunOptions options;
  options.checkpoints = 4;
  options.fail_at_checkpoint = 3;
  RunObservations observations = perfect_run(config, options);
  const std::uint32_t restored = find_event(observations, ObservedKind::kTaskRestored, 0);
  OperatorStateView& view = observations.views[observations.events[restored].view];
  REQUIRE(view.kind == OperatorKind::kSource);
  view.source_next_offsets.front().second += 1;
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kRecoveryRestoredState));
}

TEST_CASE("oracle: the latest completed checkpoint being discarded fails checkpoint.latest_discarded",
          "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t completion = find_event(observations, ObservedKind::kCheckpointCompleted, 1);
  ObservedEvent subsumed = observations.events[completion];
  subsumed.kind = ObservedKind::kCheckpointSubsumed;
  observations.events.insert(observations.events.begin() + completion + 1, subsumed);
  const Verdict verdict = judge(config, observations);
  CHECK(only_failed_property(verdict) == std::string(kCheckpointLatestDiscarded));

  // Subsuming the older one once a newer one completed is the normal case.
  RunObservations normal = perfect_run(config);
  const std::uint32_t second = find_event(normal, ObservedKind::kCheckpointCompleted, 1);
  ObservedEvent older = normal.events[second];
  older.kind = ObservedKind::kCheckpointSubsumed;
  older.checkpoint_id = 1;
  normal.events.insert(normal.events.begin() + second + 1, older);
  CHECK(judge(config, normal).passed());
}

TEST_CASE("oracle: coordinator invariants: ids, max concurrent, min pause", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.job.checkpointing.min_pause_ns = 50 * kMillisecond;
  config.check_liveness = false;
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return index; });
  recorder.on_triggered(1, now);
  index = 1;
  now = 5 * kMillisecond;
  recorder.on_triggered(2, now);  // two pending, max is 1
  index = 2;
  now = 10 * kMillisecond;
  recorder.on_completed(CompletedCheckpoint{1, 0, now, {}, {}});
  recorder.on_aborted(2, CheckpointFailureReason::kCheckpointExpired);
  index = 3;
  now = 20 * kMillisecond;
  recorder.on_triggered(2, now);  // id reused, and only 10ms after the last end
  const Verdict verdict = judge(config, recorder.observations());
  CHECK(has_violation(verdict, kProtocolMaxConcurrent));
  CHECK(has_violation(verdict, kProtocolIdsIncrease));
  CHECK(has_violation(verdict, kProtocolMinPause));
  CHECK(verdict.first_violation()->property == std::string(kProtocolMaxConcurrent));
  CHECK(verdict.first_violation()->event_index == 1);
  CHECK(verdict.first_violation()->time_ns == 5 * kMillisecond);
}

TEST_CASE("oracle: a failed job is live only when its restart strategy had no restart left", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.job.restart.kind = RestartStrategyKind::kFixedDelay;
  config.job.restart.fixed_delay_attempts = 2;
  const auto judged = [&](std::uint32_t failures) {
    TimeNs now = 0;
    std::uint64_t index = 0;
    ObservationRecorder recorder([&] { return now; }, [&] { return index; });
    for (std::uint32_t attempt = 1; attempt <= 3; ++attempt) {
      recorder.on_job_restore(kNoCheckpointId, attempt);
      ++index;
      now += 100 * kMillisecond;
    }
    recorder.on_job_failed(failures);
    return judge(config, recorder.observations());
  };
  const Verdict exhausted = judged(3);  // two restarts granted, the third failure ends it
  CHECK_FALSE(has_violation(exhausted, kLivenessFinish));
  const Verdict premature = judged(2);  // failed with a restart still allowed
  REQUIRE(has_violation(premature, kLivenessFinish));
  CHECK_THAT(premature.first_violation()->explanation, Catch::Contains("allows 2 restart(s)"));
}

TEST_CASE("oracle: periodic checkpoints must resume once the faults healed (FLINK-13256)", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.job.checkpointing.interval_ns = 50 * kMillisecond;
  config.job.checkpointing.min_pause_ns = 0;
  const auto judged = [&](bool periodic) {
    TimeNs now = 0;
    std::uint64_t index = 0;
    ObservationRecorder recorder([&] { return now; }, [&] { return index; });
    const auto at = [&](TimeNs t) {
      now = t;
      ++index;
    };
    recorder.on_fault_phase_ended(0);
    at(1 * kMillisecond);
    recorder.on_job_restore(kNoCheckpointId, 1);
    at(10 * kMillisecond);
    recorder.on_task_restored(TaskRef{0, 1}, kNoCheckpointId, OperatorStateView{});
    CheckpointId id = 0;
    for (TimeNs t = 60 * kMillisecond; t < 3 * kSecond; t += 50 * kMillisecond) {
      if (!periodic && t > 100 * kMillisecond) break;  // the trigger stops after two
      at(t);
      recorder.on_triggered(++id, t);
      at(t + kMillisecond);
      recorder.on_completed(CompletedCheckpoint{id, t, t + kMillisecond, {}, {}});
    }
    at(3 * kSecond);
    recorder.on_job_finished();
    return judge(config, recorder.observations());
  };
  CHECK_FALSE(has_violation(judged(true), kLivenessCheckpoints));
  const Verdict stopped = judged(false);
  REQUIRE(has_violation(stopped, kLivenessCheckpoints));
}

TEST_CASE("oracle: min-pause is measured from the last end before the trigger decision, not before its report",
          "[unit][oracle]") {
  // Concurrent checkpoints: checkpoint 3 is decided at 34ms, 20ms after checkpoint 1 ended;
  // checkpoint 2 ends at 36ms, and the trigger of 3 is observed at 39ms, once its id is
  // durable. That is no violation. Checkpoint 4, decided at 46ms, 10ms after 2 ended, is.
  OracleConfig config = pipeline_config();
  config.job.checkpointing.min_pause_ns = 20 * kMillisecond;
  config.job.checkpointing.max_concurrent_checkpoints = 2;
  config.check_liveness = false;
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return index; });
  recorder.on_triggered(1, 0);
  index = 1;
  now = 2 * kMillisecond;
  recorder.on_triggered(2, now);
  index = 2;
  now = 14 * kMillisecond;
  recorder.on_completed(CompletedCheckpoint{1, 0, now, {}, {}});
  index = 3;
  now = 36 * kMillisecond;
  recorder.on_completed(CompletedCheckpoint{2, 2 * kMillisecond, now, {}, {}});
  index = 4;
  now = 39 * kMillisecond;
  recorder.on_triggered(3, 34 * kMillisecond);
  Verdict verdict = judge(config, recorder.observations());
  CHECK_FALSE(has_violation(verdict, kProtocolMinPause));

  index = 5;
  now = 50 * kMillisecond;
  recorder.on_triggered(4, 46 * kMillisecond);
  verdict = judge(config, recorder.observations());
  REQUIRE(has_violation(verdict, kProtocolMinPause));
  CHECK_THAT(verdict.first_violation()->explanation, Catch::Contains("checkpoint 4"));
}

TEST_CASE("oracle: a coordinator reset forgets its pending checkpoints", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.check_liveness = false;
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return index; });
  recorder.on_triggered(1, now);
  recorder.on_coordinator_reset();
  recorder.on_triggered(2, now);
  const Verdict verdict = judge(config, recorder.observations());
  CHECK(verdict.passed());
}

TEST_CASE("oracle: committing an unknown transaction or to an unknown sink is reported", "[unit][oracle]") {
  OracleConfig config = pipeline_config();
  config.check_liveness = false;
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return index; });
  recorder.on_completed(CompletedCheckpoint{1, 0, 0, {}, {}});
  recorder.on_store_committed("sink/0/1");
  recorder.on_store_prepared("other/0/1", 0, 1, {Record{}});
  recorder.on_store_committed("other/0/1");
  const Verdict verdict = judge(config, recorder.observations());
  CHECK(has_violation(verdict, kSinkCommitUnknownTransaction));
  CHECK(has_violation(verdict, kOutputUnexpected));
}

TEST_CASE("oracle: the first violation is the one with the lowest event index", "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  // Plant a late bug (final state) and an early one (checkpoint 1's transaction applied twice).
  const std::uint32_t finished = find_event(observations, ObservedKind::kTaskFinished, 2);
  observations.views[observations.events[finished].view].keyed_aggregates.clear();
  const std::uint32_t commit = find_store_event(observations, ObservedKind::kStoreCommitted, "sink/0/1");
  const ObservedEvent again = observations.events[commit];
  observations.events.insert(observations.events.begin() + commit + 1, again);
  const Verdict verdict = judge(config, observations);
  CHECK(has_violation(verdict, kStateFinal));
  CHECK(verdict.first_violation()->event_index == again.event_index);
  CHECK(verdict.first_violation()->property == std::string(kSinkDoubleCommit));
  CHECK(std::is_sorted(verdict.violations.begin(), verdict.violations.end(),
                       [](const Violation& a, const Violation& b) { return a.event_index < b.event_index; }));
}

}  // namespace
}  // namespace ckptsim::oracle

namespace ckptsim::oracle {
namespace {

TEST_CASE("oracle: out-of-order copies along one path of a diamond fail output.order", "[unit][oracle]") {
  const OracleConfig config = make_config(testing::diamond_job(false), small_input(7, 2, 60, 2));
  RunObservations observations = perfect_run(config);
  bool swapped = false;
  for (std::uint32_t b = 0; b < observations.batches.size() && !swapped; ++b) {
    std::vector<Record> records = testing::batch_copy(observations, b);
    for (std::size_t i = 0; i < records.size() && !swapped; ++i) {
      for (std::size_t j = i + 1; j < records.size() && !swapped; ++j) {
        const bool same_group = records[i].partition == records[j].partition && records[i].key == records[j].key;
        if (!same_group || records[i].offset == records[j].offset) continue;
        std::swap(records[i].offset, records[j].offset);
        std::swap(records[i].value, records[j].value);
        testing::rewrite_batch(observations, b, records);
        swapped = true;
      }
    }
  }
  REQUIRE(swapped);
  const Verdict verdict = judge(config, observations);
  INFO(testing::describe(verdict));
  CHECK(only_failed_property(verdict) == std::string(kOutputOrder));
}

TEST_CASE("oracle: a committed record with a wrong value fails output.unexpected and output.no_loss",
          "[unit][oracle]") {
  const OracleConfig config = pipeline_config();
  RunObservations observations = perfect_run(config);
  const std::uint32_t batch = committed_batch(observations, "sink/0/2");
  std::vector<Record> records = testing::batch_copy(observations, batch);
  REQUIRE(!records.empty());
  records.front().value += 1;
  testing::rewrite_batch(observations, batch, records);
  const Verdict verdict = judge(config, observations);
  const Violation& unexpected = violation_of(verdict, kOutputUnexpected);
  CHECK_THAT(unexpected.explanation, Catch::Contains("the reference never produces it"));
  CHECK(has_violation(verdict, kOutputNoLoss));
}

TEST_CASE("oracle: an at-least-once sink's direct writes may repeat but not lose", "[unit][oracle]") {
  OracleConfig config = make_config(testing::broadcast_job(), small_input(7));
  config.job.sink_guarantee = SinkGuarantee::kAtLeastOnce;
  const JobTopology topology = JobTopology::from_spec(config.job);
  const sim::InputLog input(config.input);
  const ReferenceResult reference = compute_reference(topology, input);
  const OperatorIndex sink = *topology.find("sink");
  std::vector<Record> records;
  for (const ExpectedOutput& output : reference.outputs[sink]) {
    const OutputIdentity& id = output.identity;
    for (std::uint64_t copy = 0; copy < output.multiplicity; ++copy) {
      records.push_back(Record{id.key, id.value, id.partition, id.offset, 0, 0});
    }
  }
  TimeNs now = 0;
  std::uint64_t index = 0;
  ObservationRecorder recorder([&] { return now; }, [&] { return ++index; });
  recorder.on_store_direct_write("sink", 0, records);
  const std::vector<Record> lost_one(records.begin() + 1, records.end());
  recorder.on_store_direct_write("sink", 1, lost_one);
  OperatorStateView source_view;
  source_view.operator_name = "source";
  source_view.kind = OperatorKind::kSource;
  for (std::uint32_t p = 0; p < config.input.partitions; ++p) {
    source_view.source_next_offsets.emplace_back(p, config.input.records_per_partition);
  }
  recorder.on_task_finished(TaskRef{0, 0}, source_view);
  recorder.on_job_finished();
  recorder.on_run_ended();
  const Verdict verdict = judge(config, recorder.observations());
  INFO(testing::describe(verdict));
  CHECK(verdict.passed());
  CHECK(verdict.duplicates == records.size() - 1);

  ObservationRecorder short_run([&] { return now; }, [&] { return ++index; });
  short_run.on_store_direct_write("sink", 1, lost_one);
  short_run.on_job_finished();
  const Verdict lossy = judge(config, short_run.observations());
  CHECK(has_violation(lossy, kOutputNoLoss));
  CHECK(has_violation(lossy, kLivenessFinish));
}

}  // namespace
}  // namespace ckptsim::oracle
