// CheckpointCoordinator and shared (incremental) state: the SharedStateRegistry is fed
// only by checkpoints whose metadata is durable, a subsumed checkpoint loses its
// metadata before any of its files, shared files die with their last reference, and a
// restarted JobManager rebuilds the registry from the retained metadata.
#include <catch2/catch.hpp>

#include <algorithm>

#include "protocol/state/byte_io.h"
#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

using testing::CoordinatorHarness;

CheckpointCoordinatorConfig shared_config() {
  CheckpointCoordinatorConfig config;
  config.interval_ns = 1 * kSecond;
  config.timeout_ns = 10 * kSecond;
  config.num_retained = 1;
  return config;
}

std::string shared(const std::string& file) { return "job/shared/" + file; }

// Acknowledges like an incremental task: a private blob plus the shared files, all
// uploaded first.
TaskAcknowledgeResult ack_shared(CoordinatorHarness& h, TaskRef task, CheckpointId id,
                                 const std::vector<std::string>& shared_files) {
  SubtaskStateHandle state = testing::make_state(id, task);
  for (const std::string& f : shared_files) state.shared_blob_names.push_back(shared(f));
  std::sort(state.shared_blob_names.begin(), state.shared_blob_names.end());
  for (const std::string& blob : all_blob_names(state)) h.blobs.put_now(blob, Bytes{4, 5, 6});
  return h.coordinator->receive_acknowledge(task, id, state, testing::make_metrics(task));
}

// Triggers and acks: task 0 refers to `shared_files`, task 1 has private state only.
CheckpointId complete_with(CoordinatorHarness& h, const std::vector<std::string>& shared_files) {
  const CheckpointId id = h.trigger_now();
  REQUIRE(id != kNoCheckpointId);
  REQUIRE(ack_shared(h, {0, 0}, id, shared_files) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(ack_shared(h, {1, 0}, id, {}) == TaskAcknowledgeResult::kSuccess);
  h.blobs.run_pending();
  return id;
}

std::ptrdiff_t removal_index(const CoordinatorHarness& h, const std::string& name) {
  const auto& removed = h.blobs.removed();
  const auto it = std::find(removed.begin(), removed.end(), name);
  return it == removed.end() ? -1 : it - removed.begin();
}

}  // namespace

TEST_CASE("coordinator: shared files are registered only once the checkpoint's metadata is durable",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = h.trigger_now();
  REQUIRE(ack_shared(h, {0, 0}, id, {"a.sst", "b.sst"}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(ack_shared(h, {1, 0}, id, {}) == TaskAcknowledgeResult::kSuccess);
  // Every ack is in and the metadata write is queued, not done: nothing is registered.
  CHECK_FALSE(h.coordinator->shared_state_registry().is_registered(id));
  CHECK(h.coordinator->shared_state_registry().file_count() == 0);
  h.blobs.run_pending();
  REQUIRE(h.coordinator->latest_completed() != nullptr);
  CHECK(h.coordinator->shared_state_registry().is_registered(id));
  CHECK(h.coordinator->shared_state_registry().referenced_files() ==
        std::vector<std::string>{shared("a.sst"), shared("b.sst")});
}

TEST_CASE("coordinator: a subsumed checkpoint loses its metadata first, then only the shared files nobody refers to",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId first = complete_with(h, {"a.sst", "b.sst"});
  const CheckpointId second = complete_with(h, {"b.sst", "c.sst"});  // a compacted away, b carried over
  h.blobs.run_pending();
  const SharedStateRegistry& registry = h.coordinator->shared_state_registry();
  CHECK(registry.registered_checkpoints() == std::vector<CheckpointId>{second});
  CHECK(registry.reference_count(shared("b.sst")) == 1);
  CHECK_FALSE(h.blobs.contains(shared("a.sst")));
  CHECK(h.blobs.contains(shared("b.sst")));
  CHECK(h.blobs.contains(shared("c.sst")));
  const std::ptrdiff_t metadata_at = removal_index(h, "job/chk-" + std::to_string(first) + "/_metadata");
  const std::ptrdiff_t shared_at = removal_index(h, shared("a.sst"));
  const std::ptrdiff_t private_at = removal_index(h, testing::make_state(first, {0, 0}).blob_names[0]);
  REQUIRE(metadata_at >= 0);
  REQUIRE(shared_at >= 0);
  REQUIRE(private_at >= 0);
  CHECK(metadata_at < shared_at);
  CHECK(metadata_at < private_at);
  CHECK(removal_index(h, shared("b.sst")) == -1);
}

TEST_CASE("coordinator: a subsumed checkpoint stays registered until its metadata removal completed",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId first = complete_with(h, {"a.sst"});
  const CheckpointId second = h.trigger_now();
  REQUIRE(ack_shared(h, {0, 0}, second, {"c.sst"}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(ack_shared(h, {1, 0}, second, {}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(h.blobs.run_one());  // the metadata write of `second` completes it and subsumes `first`
  REQUIRE(h.coordinator->latest_completed()->id == second);
  // The removal of first's metadata is queued, not done: a restarted JobManager could
  // still find `first`, so its files stay counted and stored.
  CHECK(h.coordinator->shared_state_registry().is_registered(first));
  CHECK(h.coordinator->shared_state_registry().is_registered(second));
  CHECK(h.blobs.contains(shared("a.sst")));
  h.blobs.run_pending();
  CHECK_FALSE(h.coordinator->shared_state_registry().is_registered(first));
  CHECK_FALSE(h.blobs.contains(shared("a.sst")));
  CHECK(h.blobs.contains(shared("c.sst")));
}

TEST_CASE("coordinator: an aborted checkpoint's new shared files are removed, registered ones kept",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  complete_with(h, {"a.sst"});
  const CheckpointId id = h.trigger_now();
  REQUIRE(ack_shared(h, {0, 0}, id, {"a.sst", "d.sst"}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(h.coordinator->receive_decline({1, 0}, id, CheckpointFailureReason::kCheckpointDeclined));
  h.blobs.run_pending();
  CHECK(h.blobs.contains(shared("a.sst")));
  CHECK_FALSE(h.blobs.contains(shared("d.sst")));
  CHECK_FALSE(h.blobs.contains(testing::make_state(id, {0, 0}).blob_names[0]));
  CHECK(h.coordinator->shared_state_registry().reference_count(shared("a.sst")) == 1);
}

TEST_CASE("coordinator: a restarted JobManager rebuilds the registry from retained metadata and sweeps orphans",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  complete_with(h, {"a.sst", "b.sst"});
  const CheckpointId second = complete_with(h, {"b.sst", "c.sst"});
  // A task uploaded a shared file for a checkpoint that never completed, then crashed.
  h.blobs.put_now(shared("orphan.sst"), Bytes{7});
  h.restart_job_manager(/*writes_reached_storage=*/true);
  h.recover_and_deploy(/*attempt=*/1);
  h.blobs.run_pending();
  const SharedStateRegistry& registry = h.coordinator->shared_state_registry();
  CHECK(registry.registered_checkpoints() == std::vector<CheckpointId>{second});
  CHECK(registry.referenced_files() == std::vector<std::string>{shared("b.sst"), shared("c.sst")});
  CHECK(h.blobs.contains(shared("b.sst")));
  CHECK(h.blobs.contains(shared("c.sst")));
  CHECK_FALSE(h.blobs.contains(shared("orphan.sst")));
  // The rebuilt counts keep working: c is carried over, b dies with `second`.
  const CheckpointId third = h.trigger_now();
  REQUIRE(ack_shared(h, {0, 1}, third, {"c.sst", "e.sst"}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(ack_shared(h, {1, 1}, third, {}) == TaskAcknowledgeResult::kSuccess);
  h.blobs.run_pending();
  CHECK_FALSE(h.blobs.contains(shared("b.sst")));
  CHECK(h.blobs.contains(shared("c.sst")));
  CHECK(h.blobs.contains(shared("e.sst")));
}

TEST_CASE("coordinator: the sweep at the end removes every blob no retained checkpoint refers to",
          "[unit][coordinator][shared-state]") {
  CoordinatorHarness h(shared_config(), 2, 1);
  h.recover_and_deploy();
  const CheckpointId id = complete_with(h, {"a.sst"});
  h.blobs.put_now(shared("late.sst"), Bytes{1});
  h.blobs.put_now("job/chk-99/task-0", Bytes{1});  // a private upload whose ack was lost
  h.coordinator->sweep_orphaned_state();
  h.blobs.run_pending();
  CHECK_FALSE(h.blobs.contains(shared("late.sst")));
  CHECK_FALSE(h.blobs.contains("job/chk-99/task-0"));
  CHECK(h.blobs.contains(shared("a.sst")));
  CHECK(h.blobs.contains("job/chk-" + std::to_string(id) + "/_metadata"));
  CHECK(h.blobs.contains(testing::make_state(id, {0, 0}).blob_names[0]));
}

TEST_CASE("checkpoint metadata: shared blob names round-trip and leave the format unchanged without them",
          "[unit][coordinator][shared-state]") {
  CompletedCheckpoint checkpoint;
  checkpoint.id = 7;
  checkpoint.trigger_time_ns = 1;
  checkpoint.completion_time_ns = 2;
  checkpoint.states[0] = testing::make_state(7, {0, 0});
  checkpoint.states[1] = testing::make_state(7, {1, 0});
  const Bytes plain = serialize_checkpoint_metadata(checkpoint);
  CHECK(load_le32(plain.data() + 12) == 0);  // flags stay 0 without shared state
  checkpoint.states[1].shared_blob_names = {shared("x.sst"), shared("y.sst")};
  const Bytes with_shared = serialize_checkpoint_metadata(checkpoint);
  CHECK(load_le32(with_shared.data() + 12) == kMetadataFlagSharedState);
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(with_shared);
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == checkpoint);
  CHECK(shared_blob_names(decoded.value()) == std::vector<std::string>{shared("x.sst"), shared("y.sst")});
}

}  // namespace ckptsim

namespace ckptsim {

TEST_CASE("coordinator: an ack that re-uses a shared file deleted meanwhile aborts its checkpoint (FLINK-29913)",
          "[unit][coordinator][shared-state]") {
  CheckpointCoordinatorConfig config = shared_config();
  config.max_concurrent_checkpoints = 2;
  CoordinatorHarness h(config, 2, 1);
  h.recover_and_deploy();
  complete_with(h, {"a.sst"});
  // Checkpoint 2 is triggered; the task, told checkpoint 1 completed, will re-use a.sst.
  const CheckpointId second = h.trigger_now();
  // Checkpoint 3 overtakes it without a.sst and subsumes checkpoint 1: a.sst is deleted.
  const CheckpointId third = h.trigger_now();
  REQUIRE(ack_shared(h, {0, 0}, third, {"b.sst"}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(ack_shared(h, {1, 0}, third, {}) == TaskAcknowledgeResult::kSuccess);
  h.blobs.run_pending();
  REQUIRE(h.coordinator->latest_completed()->id == third);
  // Checkpoint 2 was subsumed by the completion of 3; a late ack of a re-used, deleted
  // file is discarded either way, and never completes anything.
  CHECK(ack_shared(h, {0, 0}, second, {"a.sst"}) != TaskAcknowledgeResult::kSuccess);
  // A checkpoint triggered after the deletion that re-uses the file (the task missed a
  // notification) is aborted instead of completing with a dangling reference.
  const CheckpointId fourth = h.trigger_now();
  CHECK(ack_shared(h, {0, 0}, fourth, {"a.sst", "c.sst"}) == TaskAcknowledgeResult::kDiscarded);
  h.blobs.run_pending();
  CHECK(h.listener->abort_reason(fourth) == CheckpointFailureReason::kFinalizeCheckpointFailure);
  CHECK(h.coordinator->latest_completed()->id == third);
  CHECK_FALSE(h.blobs.contains(shared("c.sst")));
  CHECK(h.blobs.contains(shared("b.sst")));
}

}  // namespace ckptsim
