// CheckpointRequestDecider: trigger now, queue, or drop with a reason.
#include <catch2/catch.hpp>

#include "protocol/checkpoint/checkpoint_request_decider.h"

namespace ckptsim {
namespace {

DeciderInputs idle_at(TimeNs now_ns) {
  DeciderInputs inputs;
  inputs.now_ns = now_ns;
  return inputs;
}

TEST_CASE("coordinator decider: an idle coordinator triggers at once", "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 0);
  CheckpointTriggerRequest submitted;
  const DeciderOutcome outcome = decider.submit(TriggerRequestKind::kPeriodic, idle_at(100), &submitted);
  REQUIRE(outcome.execute.has_value());
  CHECK(*outcome.execute == submitted);
  CHECK(outcome.dropped.empty());
  CHECK(decider.queued_count() == 0);
}

TEST_CASE("coordinator decider: max-concurrent queues requests until a slot frees", "[unit][coordinator]") {
  CheckpointRequestDecider decider(2, 0);
  DeciderInputs busy = idle_at(10);
  busy.pending_count = 2;
  CHECK_FALSE(decider.submit(TriggerRequestKind::kPeriodic, busy).execute.has_value());
  CHECK_FALSE(decider.submit(TriggerRequestKind::kManual, busy).execute.has_value());
  CHECK(decider.queued_count() == 2);

  DeciderInputs one_free = idle_at(20);
  one_free.pending_count = 1;
  const DeciderOutcome outcome = decider.choose_queued(one_free);
  REQUIRE(outcome.execute.has_value());
  CHECK(outcome.execute->kind == TriggerRequestKind::kManual);  // manual requests go first
  CHECK(decider.queued_count() == 1);
}

TEST_CASE("coordinator decider: nothing runs while a trigger is in flight", "[unit][coordinator]") {
  CheckpointRequestDecider decider(5, 0);
  DeciderInputs triggering = idle_at(0);
  triggering.trigger_in_flight = true;
  CHECK_FALSE(decider.submit(TriggerRequestKind::kManual, triggering).execute.has_value());
  CHECK(decider.queued_count() == 1);
  CHECK(decider.choose_queued(idle_at(1)).execute.has_value());
}

TEST_CASE("coordinator decider: too many aborted checkpoints still cleaning blocks triggering",
          "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 0);
  DeciderInputs cleaning = idle_at(0);
  cleaning.cleaning_count = 2;
  CHECK_FALSE(decider.submit(TriggerRequestKind::kManual, cleaning).execute.has_value());
  cleaning.cleaning_count = 1;
  CHECK(decider.choose_queued(cleaning).execute.has_value());
}

TEST_CASE("coordinator decider: periodic request inside min-pause is dropped with the retry time",
          "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 50 * kMillisecond);
  DeciderInputs inputs = idle_at(1 * kSecond);
  inputs.last_checkpoint_end_ns = 1 * kSecond - 20 * kMillisecond;
  const DeciderOutcome outcome = decider.submit(TriggerRequestKind::kPeriodic, inputs);
  CHECK_FALSE(outcome.execute.has_value());
  REQUIRE(outcome.dropped.size() == 1);
  CHECK(outcome.dropped[0].reason == CheckpointFailureReason::kMinimumTimeBetweenCheckpoints);
  REQUIRE(outcome.periodic_retry_at_ns.has_value());
  CHECK(*outcome.periodic_retry_at_ns == 1 * kSecond + 30 * kMillisecond);
  CHECK(decider.queued_count() == 0);

  // Exactly at the end of the pause it runs.
  inputs.now_ns = *outcome.periodic_retry_at_ns;
  CHECK(decider.submit(TriggerRequestKind::kPeriodic, inputs).execute.has_value());
}

TEST_CASE("coordinator decider: manual requests ignore min-pause", "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 1 * kMinute);
  DeciderInputs inputs = idle_at(1 * kSecond);
  inputs.last_checkpoint_end_ns = 1 * kSecond;
  CHECK(decider.submit(TriggerRequestKind::kManual, inputs).execute.has_value());
}

TEST_CASE("coordinator decider: a full queue of periodic requests drops the lowest priority one",
          "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 0, 3);
  DeciderInputs busy = idle_at(0);
  busy.pending_count = 1;
  for (int i = 0; i < 3; ++i) {
    busy.now_ns = i;
    CHECK(decider.submit(TriggerRequestKind::kPeriodic, busy).dropped.empty());
  }
  busy.now_ns = 10;
  CheckpointTriggerRequest manual;
  const DeciderOutcome outcome = decider.submit(TriggerRequestKind::kManual, busy, &manual);
  REQUIRE(outcome.dropped.size() == 1);
  CHECK(outcome.dropped[0].reason == CheckpointFailureReason::kTooManyCheckpointRequests);
  CHECK(outcome.dropped[0].request.kind == TriggerRequestKind::kPeriodic);
  CHECK(outcome.dropped[0].request.request_time_ns == 2);  // the newest periodic one
  CHECK(decider.queued_count() == 3);
}

TEST_CASE("coordinator decider: a queue full of manual requests refuses the newcomer", "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 0, 2);
  DeciderInputs busy = idle_at(0);
  busy.pending_count = 1;
  decider.submit(TriggerRequestKind::kManual, busy);
  decider.submit(TriggerRequestKind::kManual, busy);
  CheckpointTriggerRequest newcomer;
  const DeciderOutcome outcome = decider.submit(TriggerRequestKind::kPeriodic, busy, &newcomer);
  REQUIRE(outcome.dropped.size() == 1);
  CHECK(outcome.dropped[0].request == newcomer);
  CHECK(decider.queued_count() == 2);
  CHECK(decider.abort_all().size() == 2);
  CHECK(decider.queued_count() == 0);
}

TEST_CASE("coordinator decider: the default queue bound is Flink's 1000", "[unit][coordinator]") {
  CheckpointRequestDecider decider(1, 0);
  DeciderInputs busy = idle_at(0);
  busy.pending_count = 1;
  std::size_t dropped = 0;
  for (int i = 0; i < 1005; ++i) dropped += decider.submit(TriggerRequestKind::kPeriodic, busy).dropped.size();
  CHECK(decider.queued_count() == 1000);
  CHECK(dropped == 5);
}

}  // namespace
}  // namespace ckptsim
