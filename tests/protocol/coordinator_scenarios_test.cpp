// CheckpointCoordinator scenarios, driven by a manual clock, manual timers and a blob store
// whose completions the test releases explicitly.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

using testing::CoordinatorHarness;
using testing::GatewayCall;
using testing::ListenerEvent;

using Kind = ListenerEvent::Kind;

CheckpointCoordinatorConfig base_config() {
  CheckpointCoordinatorConfig config;
  config.interval_ns = 1 * kSecond;
  config.timeout_ns = 10 * kSecond;
  return config;
}

std::size_t count_calls(const testing::RecordingGateway& gateway, GatewayCall::Kind kind, CheckpointId id) {
  const auto calls = gateway.of_kind(kind);
  return static_cast<std::size_t>(
      std::count_if(calls.begin(), calls.end(), [id](const GatewayCall& call) { return call.id == id; }));
}

TEST_CASE("coordinator: a checkpoint completes only after every ack and its durable metadata",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 3, 1);
  h.recover_and_deploy();
  h.coordinator->trigger_checkpoint();
  CHECK(h.coordinator->num_pending() == 1);
  CHECK(h.listener->ids_of(Kind::kTriggered).empty());  // the id is not durable yet
  CHECK(h.gateway.calls.empty());

  h.blobs.run_pending();
  CHECK(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{1});
  const auto triggers = h.gateway.of_kind(GatewayCall::Kind::kTrigger);
  REQUIRE(triggers.size() == 1);
  CHECK(triggers[0].task == TaskRef{0, 0});
  CHECK(triggers[0].id == 1);

  CHECK(h.ack({0, 0}, 1) == TaskAcknowledgeResult::kSuccess);
  CHECK(h.ack({2, 0}, 1) == TaskAcknowledgeResult::kSuccess);
  CHECK(h.coordinator->num_pending() == 1);
  CHECK(h.ack({1, 0}, 1) == TaskAcknowledgeResult::kSuccess);
  // All acks are in, but the metadata write has not completed.
  CHECK(h.coordinator->latest_completed() == nullptr);
  CHECK(h.listener->ids_of(Kind::kCompleted).empty());

  h.blobs.run_pending();
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.coordinator->latest_completed()->id == 1);
  CHECK(h.coordinator->latest_completed()->states.size() == 3);
  CHECK(h.blobs.contains("job/chk-1/_metadata"));
  CHECK(count_calls(h.gateway, GatewayCall::Kind::kNotifyComplete, 1) == 3);
  CHECK(h.coordinator->num_pending() == 0);
}

TEST_CASE("coordinator: late ack after timeout is discarded together with its state", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 3, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  h.ack({0, 0}, id);
  h.timers.advance_by(10 * kSecond);
  CHECK(h.listener->abort_reason(id) == CheckpointFailureReason::kCheckpointExpired);
  CHECK(count_calls(h.gateway, GatewayCall::Kind::kNotifyAborted, id) == 3);

  CHECK(h.ack({1, 0}, id) == TaskAcknowledgeResult::kDiscarded);
  h.blobs.run_pending();
  CHECK(h.blobs.was_removed(testing::make_state(id, {0, 0}).blob_names[0]));
  CHECK(h.blobs.was_removed(testing::make_state(id, {1, 0}).blob_names[0]));
  CHECK(h.coordinator->latest_completed() == nullptr);
  // An ack for an id the coordinator never heard of is kUnknown.
  CHECK(h.ack({1, 0}, 99) == TaskAcknowledgeResult::kUnknown);
}

TEST_CASE("coordinator: stale ack from an old attempt is kUnknown and never completes the checkpoint",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy(/*attempt=*/1);
  const CheckpointId id = h.trigger_now();
  CHECK(h.ack({0, 0}, id) == TaskAcknowledgeResult::kUnknown);
  CHECK(h.ack({1, 0}, id) == TaskAcknowledgeResult::kUnknown);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed() == nullptr);
  CHECK(h.blobs.was_removed(testing::make_state(id, {0, 0}).blob_names[0]));

  CHECK(h.ack({0, 1}, id) == TaskAcknowledgeResult::kSuccess);
  CHECK(h.ack({1, 1}, id) == TaskAcknowledgeResult::kSuccess);
  h.blobs.run_pending();
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.coordinator->latest_completed()->id == id);
}

TEST_CASE("coordinator: duplicate ack is kDuplicate and keeps the first ack's state", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  CHECK(h.ack({0, 0}, id) == TaskAcknowledgeResult::kSuccess);
  CHECK(h.ack({0, 0}, id) == TaskAcknowledgeResult::kDuplicate);
  h.ack({1, 0}, id);
  // A duplicate arriving while the metadata is written is discarded without touching state.
  CHECK(h.ack({1, 0}, id) == TaskAcknowledgeResult::kDiscarded);
  h.blobs.run_pending();
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.blobs.removed().empty());
  CHECK(h.blobs.contains(testing::make_state(id, {1, 0}).blob_names[0]));
}

TEST_CASE("coordinator: max-concurrent checkpoints is respected and queued requests run later",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.max_concurrent_checkpoints = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  CHECK(h.trigger_now() == 1);
  CHECK(h.trigger_now() == 2);
  CHECK(h.trigger_now() == kNoCheckpointId);
  CHECK(h.coordinator->num_pending() == 2);
  CHECK(h.coordinator->num_queued_requests() == 1);

  h.ack_all(1);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed()->id == 1);
  // The freed slot went to the queued request.
  CHECK(h.coordinator->pending_ids() == std::vector<CheckpointId>{2, 3});
  CHECK(h.coordinator->num_queued_requests() == 0);
}

TEST_CASE("coordinator: completion of a newer checkpoint aborts older pending ones as subsumed",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.max_concurrent_checkpoints = 3;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.trigger_now();
  h.trigger_now();
  h.ack({0, 0}, 1);
  h.ack_all(2);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed()->id == 2);
  CHECK(h.listener->abort_reason(1) == CheckpointFailureReason::kCheckpointSubsumed);
  CHECK(h.ack({1, 0}, 1) == TaskAcknowledgeResult::kDiscarded);
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 0);
}

TEST_CASE("coordinator: min-pause delays the next periodic trigger after a completed checkpoint",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.min_pause_ns = 500 * kMillisecond;
  CoordinatorHarness h(config, 1, 1);
  h.recover_and_deploy();
  h.randomness.script({0});
  h.coordinator->start_periodic_scheduler();  // first tick at min-pause = 500ms
  h.timers.advance_to(500 * kMillisecond);
  h.blobs.run_pending();
  REQUIRE(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{1});

  h.timers.advance_to(1300 * kMillisecond);
  h.ack_all(1);
  h.blobs.run_pending();
  CHECK(h.coordinator->last_checkpoint_end_ns() == 1300 * kMillisecond);

  h.timers.advance_to(1500 * kMillisecond);  // the tick inside the pause is refused
  CHECK(h.listener->ids_of(Kind::kTriggered).size() == 1);
  CHECK(h.listener->of_kind(Kind::kRequestDropped).at(0).reason ==
        CheckpointFailureReason::kMinimumTimeBetweenCheckpoints);
  h.timers.advance_to(1800 * kMillisecond);  // and rescheduled to the end of the pause
  h.blobs.run_pending();
  const auto triggered = h.listener->of_kind(Kind::kTriggered);
  REQUIRE(triggered.size() == 2);
  CHECK(triggered[1].time_ns == 1800 * kMillisecond);
}

TEST_CASE("coordinator: min-pause also applies after a failed checkpoint (FLINK-9598)", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.min_pause_ns = 500 * kMillisecond;
  config.tolerable_failed_checkpoints = 5;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.randomness.script({0});
  h.coordinator->start_periodic_scheduler();
  h.timers.advance_to(500 * kMillisecond);
  h.blobs.run_pending();
  h.timers.advance_to(1300 * kMillisecond);
  CHECK(h.coordinator->receive_decline({1, 0}, 1, CheckpointFailureReason::kCheckpointDeclined));
  CHECK(h.listener->abort_reason(1) == CheckpointFailureReason::kCheckpointDeclined);
  h.timers.advance_to(1799 * kMillisecond);
  CHECK(h.coordinator->num_pending() == 0);
  h.timers.advance_to(1800 * kMillisecond);
  h.blobs.run_pending();
  const auto triggered = h.listener->of_kind(Kind::kTriggered);
  REQUIRE(triggered.size() == 2);
  CHECK(triggered[1].time_ns == 1800 * kMillisecond);
}

TEST_CASE("coordinator: the first periodic trigger comes after a random delay in [min-pause, interval]",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.min_pause_ns = 200 * kMillisecond;
  CoordinatorHarness h(config, 1, 1);
  h.recover_and_deploy();
  h.randomness.script({123});
  h.coordinator->start_periodic_scheduler();
  CHECK(h.randomness.last_bound() == static_cast<std::uint64_t>(800 * kMillisecond + 1));
  h.timers.advance_to(200 * kMillisecond + 122);
  CHECK(h.coordinator->num_pending() == 0);
  h.timers.advance_to(200 * kMillisecond + 123);
  CHECK(h.coordinator->num_pending() == 1);
  h.blobs.run_pending();
  const auto triggered = h.listener->of_kind(Kind::kTriggered);
  REQUIRE(triggered.size() == 1);
  CHECK(triggered[0].time_ns == 200 * kMillisecond + 123);
}

TEST_CASE("coordinator: timeout aborts as kCheckpointExpired and the periodic scheduler keeps running",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.timeout_ns = 2500 * kMillisecond;
  config.tolerable_failed_checkpoints = 10;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.coordinator->start_periodic_scheduler();  // random 0: first tick at 0
  h.timers.run_due();
  h.blobs.run_pending();
  h.timers.advance_to(2500 * kMillisecond);
  CHECK(h.listener->abort_reason(1) == CheckpointFailureReason::kCheckpointExpired);
  h.timers.advance_to(3 * kSecond);
  h.blobs.run_pending();
  CHECK(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{1, 2});
  h.ack_all(2);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed()->id == 2);
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 0);
}

TEST_CASE("coordinator: tolerable failed checkpoints are exceeded once and fail the job once",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.tolerable_failed_checkpoints = 1;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();

  // A decline for a reason that does not count.
  CheckpointId id = h.trigger_now();
  h.coordinator->receive_decline({0, 0}, id, CheckpointFailureReason::kCheckpointDeclinedTaskNotReady);
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 0);

  id = h.trigger_now();
  h.coordinator->receive_decline({0, 0}, id, CheckpointFailureReason::kCheckpointDeclined);
  // A second decline for the same checkpoint changes nothing: it already ended.
  CHECK_FALSE(h.coordinator->receive_decline({1, 0}, id, CheckpointFailureReason::kCheckpointDeclined));
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 1);
  h.timers.run_due();
  CHECK(h.fail_job_calls == 0);

  id = h.trigger_now();
  h.timers.advance_by(10 * kSecond);  // expires: the second counted failure exceeds 1
  CHECK(h.fail_job_calls == 1);
  REQUIRE(h.fail_job_reasons.size() == 1);
  CHECK(h.fail_job_reasons[0] == CheckpointFailureReason::kCheckpointExpired);
}

TEST_CASE("coordinator: a success resets the consecutive failure count", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.tolerable_failed_checkpoints = 1;
  CoordinatorHarness h(config, 1, 1);
  h.recover_and_deploy();
  CheckpointId id = h.trigger_now();
  h.coordinator->receive_decline({0, 0}, id, CheckpointFailureReason::kCheckpointDeclined);
  h.complete_one();
  id = h.trigger_now();
  h.coordinator->receive_decline({0, 0}, id, CheckpointFailureReason::kCheckpointDeclined);
  h.timers.run_due();
  CHECK(h.fail_job_calls == 0);
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 1);
}

TEST_CASE("coordinator: subsumption keeps num-retained checkpoints and removes older blobs", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.num_retained = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  for (int i = 0; i < 3; ++i) h.complete_one();
  h.blobs.run_pending();
  REQUIRE(h.coordinator->retained_checkpoints().size() == 2);
  CHECK(h.coordinator->retained_checkpoints()[0].id == 2);
  CHECK(h.coordinator->latest_completed()->id == 3);
  CHECK(h.listener->ids_of(Kind::kSubsumed) == std::vector<CheckpointId>{1});
  CHECK_FALSE(h.blobs.contains("job/chk-1/_metadata"));
  CHECK_FALSE(h.blobs.contains(testing::make_state(1, {0, 0}).blob_names[0]));
  CHECK(h.blobs.contains("job/chk-2/_metadata"));
  CHECK(h.blobs.contains(testing::make_state(3, {1, 0}).blob_names[0]));
  // Metadata goes before the state it names.
  const auto& removed = h.blobs.removed();
  const auto metadata_at = std::find(removed.begin(), removed.end(), "job/chk-1/_metadata");
  const auto state_at = std::find(removed.begin(), removed.end(), testing::make_state(1, {0, 0}).blob_names[0]);
  REQUIRE(metadata_at != removed.end());
  REQUIRE(state_at != removed.end());
  CHECK(metadata_at < state_at);
}

TEST_CASE("coordinator: a failed metadata write fails the checkpoint with kIoException", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.tolerable_failed_checkpoints = 3;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  h.blobs.fail_puts_with_prefix("job/chk-", 1);
  h.ack_all(id);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed() == nullptr);
  CHECK(h.listener->abort_reason(id) == CheckpointFailureReason::kIoException);
  CHECK(count_calls(h.gateway, GatewayCall::Kind::kNotifyComplete, id) == 0);
  CHECK_FALSE(h.blobs.contains(testing::make_state(id, {0, 0}).blob_names[0]));
  CHECK(h.coordinator->failure_manager().consecutive_failures() == 1);
}

TEST_CASE("coordinator: a failed id write fails the trigger and sends no trigger", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 1, 1);
  h.recover_and_deploy();
  h.blobs.fail_puts_with_prefix("job/checkpoint-id-counter/", 1);
  CHECK(h.trigger_now() == kNoCheckpointId);  // never announced
  CHECK(h.listener->of_kind(Kind::kRequestDropped).at(0).reason == CheckpointFailureReason::kTriggerCheckpointFailure);
  CHECK(h.gateway.of_kind(GatewayCall::Kind::kTrigger).empty());
  CHECK(h.gateway.of_kind(GatewayCall::Kind::kNotifyAborted).empty());  // tasks never heard of it
  CHECK(h.complete_one() == 2);  // id 1 is not reused by this JobManager
}

TEST_CASE("coordinator: recovery after a JobManager restart finds the latest checkpoint and ids keep increasing",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.max_concurrent_checkpoints = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.complete_one();
  h.complete_one();
  const CheckpointId pending = h.trigger_now();  // triggered, never completed
  CHECK(pending == 3);

  h.restart_job_manager(/*writes_reached_storage=*/false);
  const CoordinatorRecovery recovery = h.recover_and_deploy(/*attempt=*/1);
  REQUIRE(recovery.latest_completed_id.has_value());
  CHECK(*recovery.latest_completed_id == 2);
  CHECK(recovery.next_checkpoint_id == 4);
  CHECK(recovery.warnings.empty());
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.coordinator->latest_completed()->id == 2);
  CHECK(h.complete_one() == 4);
}

TEST_CASE("coordinator: metadata that reached storage before a JobManager crash counts as completed",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  h.ack_all(id);  // the metadata write is in flight
  h.restart_job_manager(/*writes_reached_storage=*/true);
  const CoordinatorRecovery recovery = h.recover_and_deploy(1);
  CHECK(recovery.latest_completed_id == id);
  CHECK(recovery.next_checkpoint_id == id + 1);
}

TEST_CASE("coordinator: a corrupt read of the latest metadata fails recovery instead of restoring an older one",
          "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.num_retained = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.complete_one();
  h.complete_one();
  h.restart_job_manager(true);

  // A transient fault: the read fails its checksum once. Skipping chk-2 would restore
  // chk-1 and replay output a two-phase-commit sink already committed.
  h.blobs.fail_gets(StatusCode::kCorruption, 1);
  std::optional<Result<CoordinatorRecovery>> failed;
  h.coordinator->recover([&](Result<CoordinatorRecovery> r) { failed.emplace(std::move(r)); });
  h.blobs.run_pending();
  REQUIRE(failed.has_value());
  CHECK(failed->status().code() == StatusCode::kCorruption);

  // The retry reads clean bytes and finds the latest completed checkpoint.
  const CoordinatorRecovery recovery = h.recover_and_deploy(1);
  CHECK(recovery.latest_completed_id == CheckpointId{2});
  CHECK(recovery.warnings.empty());
  CHECK(h.complete_one() == 3);
}

TEST_CASE("coordinator: permanently corrupt latest metadata keeps failing recovery", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config = base_config();
  config.num_retained = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  h.complete_one();
  h.complete_one();
  h.blobs.flip_byte("job/chk-2/_metadata", 30);
  h.restart_job_manager(true);
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::optional<Result<CoordinatorRecovery>> result;
    h.coordinator->recover([&](Result<CoordinatorRecovery> r) { result.emplace(std::move(r)); });
    h.blobs.run_pending();
    REQUIRE(result.has_value());
    REQUIRE_FALSE(result->is_ok());
    CHECK_THAT(result->status().message(), Catch::Contains("chk-2"));
  }
}

TEST_CASE("coordinator: the periodic scheduler restarts after a failover aborted everything (FLINK-13256)",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  h.coordinator->start_periodic_scheduler();
  h.timers.run_due();
  h.blobs.run_pending();
  REQUIRE(h.coordinator->num_pending() == 1);

  // Failover: the deployment goes away, the scheduler is suspended, everything aborted.
  h.coordinator->clear_tasks();
  h.coordinator->stop_periodic_scheduler();
  h.coordinator->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
  CHECK(h.listener->abort_reason(1) == CheckpointFailureReason::kCheckpointCoordinatorSuspend);
  CHECK_FALSE(h.coordinator->is_periodic_scheduler_running());
  h.timers.advance_by(5 * kSecond);
  CHECK(h.listener->ids_of(Kind::kTriggered).size() == 1);

  h.deploy(1);
  h.coordinator->start_periodic_scheduler();
  h.timers.run_due();
  h.blobs.run_pending();
  CHECK(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{1, 2});
  h.ack_all(2);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed()->id == 2);
}

TEST_CASE("coordinator: a failover abort without stopping keeps the periodic trigger alive", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  h.coordinator->start_periodic_scheduler();
  h.timers.run_due();
  h.blobs.run_pending();
  h.coordinator->clear_tasks();
  h.coordinator->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
  CHECK(h.listener->abort_reason(1) == CheckpointFailureReason::kJobFailover);
  h.timers.advance_by(1 * kSecond);  // no deployment yet: the tick fails pre-flight
  CHECK(h.listener->of_kind(Kind::kRequestDropped).back().reason ==
        CheckpointFailureReason::kNotAllRequiredTasksRunning);
  h.deploy(1);
  h.timers.advance_by(1 * kSecond);
  h.blobs.run_pending();
  CHECK(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{1, 2});
  CHECK(h.coordinator->is_periodic_scheduler_running());
}

TEST_CASE("coordinator: a checkpoint expiring while its trigger is in flight does not wedge the coordinator "
          "(FLINK-26394)",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  h.coordinator->trigger_checkpoint();  // id 1: its id write is held back
  h.coordinator->trigger_checkpoint();  // queued behind the trigger in flight
  CHECK(h.coordinator->is_trigger_in_flight());
  CHECK(h.coordinator->num_queued_requests() == 1);

  h.timers.advance_by(10 * kSecond);
  // Checkpoint 1 expired before its id was durable: a dropped request to the outside.
  CHECK(h.listener->of_kind(Kind::kRequestDropped).at(0).reason == CheckpointFailureReason::kCheckpointExpired);
  // The queued request went ahead at once.
  CHECK(h.coordinator->num_queued_requests() == 0);
  CHECK(h.coordinator->pending_ids() == std::vector<CheckpointId>{2});

  h.blobs.run_pending();  // both id writes complete; only checkpoint 2 triggers tasks
  CHECK(h.listener->ids_of(Kind::kTriggered) == std::vector<CheckpointId>{2});
  CHECK(h.gateway.triggered_ids() == std::vector<CheckpointId>{2});
  h.ack_all(2);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed()->id == 2);
  CHECK_FALSE(h.coordinator->is_trigger_in_flight());
}

TEST_CASE("coordinator: requests fail with kNotAllRequiredTasksRunning while nothing is deployed",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  h.coordinator->clear_tasks();
  CHECK(h.trigger_now() == kNoCheckpointId);
  CHECK(h.listener->of_kind(Kind::kRequestDropped).at(0).reason ==
        CheckpointFailureReason::kNotAllRequiredTasksRunning);
  CHECK(h.coordinator->next_checkpoint_id() == 1);  // no id was used
}

TEST_CASE("coordinator: a decline from a stale attempt is ignored", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy(3);
  const CheckpointId id = h.trigger_now();
  CHECK_FALSE(h.coordinator->receive_decline({0, 2}, id, CheckpointFailureReason::kCheckpointDeclined));
  CHECK(h.coordinator->num_pending() == 1);
  CHECK(h.coordinator->receive_decline({0, 3}, id, CheckpointFailureReason::kCheckpointDeclined));
  CHECK(h.coordinator->num_pending() == 0);
}

TEST_CASE("coordinator: a failover during the metadata write leaves the outcome to the write",
          "[unit][coordinator]") {
  // Aborting it would race with the write: once durable, a restarted JobManager would
  // recover an aborted checkpoint as completed. So the write alone decides.
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  h.ack_all(id);
  REQUIRE(h.coordinator->has_finalizing_checkpoint());
  h.coordinator->clear_tasks();
  h.coordinator->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
  CHECK(h.listener->ids_of(Kind::kAborted).empty());
  CHECK(h.coordinator->num_pending() == 1);
  h.blobs.run_pending();  // the write succeeds
  CHECK_FALSE(h.coordinator->has_finalizing_checkpoint());
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.coordinator->latest_completed()->id == id);
  CHECK(h.listener->ids_of(Kind::kCompleted) == std::vector<CheckpointId>{id});
  CHECK(count_calls(h.gateway, GatewayCall::Kind::kNotifyComplete, id) == 0);  // no tasks deployed
  CHECK(h.blobs.contains("job/chk-1/_metadata"));
  // A restarted JobManager agrees.
  h.restart_job_manager(true);
  const auto recovered = h.recover_and_deploy(1).latest_completed_id;
  REQUIRE(recovered.has_value());
  CHECK(*recovered == id);
}

TEST_CASE("coordinator: a failed metadata write after a failover aborts the checkpoint",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  h.blobs.fail_puts_with_prefix("job/chk-1/_metadata", 1);
  h.ack_all(id);
  h.coordinator->clear_tasks();
  h.coordinator->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
  h.blobs.run_pending();
  CHECK(h.coordinator->latest_completed() == nullptr);
  CHECK(h.listener->ids_of(Kind::kAborted) == std::vector<CheckpointId>{id});
  CHECK_FALSE(h.coordinator->has_finalizing_checkpoint());
}

TEST_CASE("coordinator: the latest completed checkpoint's blobs survive late and duplicate acks",
          "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.complete_one();
  CHECK(h.ack({0, 0}, id) == TaskAcknowledgeResult::kDiscarded);  // same blobs as the completed state
  h.blobs.run_pending();
  CHECK(h.blobs.contains(testing::make_state(id, {0, 0}).blob_names[0]));
  CHECK(h.coordinator->discarder().removals_skipped_referenced() >= 1);
}

TEST_CASE("coordinator: shutdown aborts everything and later completions do nothing", "[unit][coordinator]") {
  CoordinatorHarness h(base_config(), 2, 1);
  h.recover_and_deploy();
  h.coordinator->start_periodic_scheduler();
  const CheckpointId id = h.trigger_now();
  h.coordinator->trigger_checkpoint();
  h.coordinator->shutdown();
  CHECK(h.listener->abort_reason(id) == CheckpointFailureReason::kCheckpointCoordinatorShutdown);
  CHECK(h.coordinator->num_pending() == 0);
  CHECK(h.coordinator->num_queued_requests() == 0);
  CHECK(h.ack({0, 0}, id) == TaskAcknowledgeResult::kUnknown);
  h.timers.advance_by(1 * kMinute);
  h.blobs.run_pending();
  CHECK(h.listener->ids_of(Kind::kTriggered).size() == 1);
}

TEST_CASE("coordinator: config keys use Flink's names and duration syntax", "[unit][coordinator]") {
  CheckpointCoordinatorConfig config;
  CHECK(config.timeout_ns == 10 * kMinute);
  CHECK(config.max_concurrent_checkpoints == 1);
  CHECK(config.tolerable_failed_checkpoints == 0);
  CHECK(config.num_retained == 1);
  CHECK(set_checkpoint_config_value(config, "execution.checkpointing.interval", "100ms").is_ok());
  CHECK(set_checkpoint_config_value(config, "execution.checkpointing.timeout", "5 s").is_ok());
  CHECK(set_checkpoint_config_value(config, "execution.checkpointing.min-pause", "1min").is_ok());
  CHECK(set_checkpoint_config_value(config, "execution.checkpointing.max-concurrent-checkpoints", "3").is_ok());
  CHECK(set_checkpoint_config_value(config, "execution.checkpointing.tolerable-failed-checkpoints", "2").is_ok());
  CHECK(set_checkpoint_config_value(config, "state.checkpoints.num-retained", "4").is_ok());
  CHECK(config.interval_ns == 100 * kMillisecond);
  CHECK(config.timeout_ns == 5 * kSecond);
  CHECK(config.min_pause_ns == kMinute);
  CHECK(config.max_concurrent_checkpoints == 3);
  CHECK(config.tolerable_failed_checkpoints == 2);
  CHECK(config.num_retained == 4);
  CHECK(validate(config).is_ok());

  CHECK_FALSE(set_checkpoint_config_value(config, "execution.checkpointing.interval", "soon").is_ok());
  CHECK_FALSE(set_checkpoint_config_value(config, "execution.checkpointing.num-retained", "2x").is_ok());
  CHECK_FALSE(set_checkpoint_config_value(config, "execution.checkpointing.bogus", "1").is_ok());
  config.num_retained = 0;
  CHECK(validate(config).code() == StatusCode::kInvalidArgument);
  config.num_retained = 1;
  config.interval_ns = 5 * kMillisecond;
  CHECK_FALSE(validate(config).is_ok());
}

}  // namespace
}  // namespace ckptsim
