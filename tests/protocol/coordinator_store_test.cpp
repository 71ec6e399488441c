// CompletedCheckpointStore and CheckpointIdCounter: retention, durable metadata, recovery.
#include <catch2/catch.hpp>

#include "protocol/checkpoint/checkpoint_id_counter.h"
#include "protocol/checkpoint/completed_checkpoint_store.h"
#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

using testing::InMemoryBlobStore;

CompletedCheckpoint checkpoint_with_id(CheckpointId id) {
  CompletedCheckpoint checkpoint;
  checkpoint.id = id;
  checkpoint.trigger_time_ns = id * kSecond;
  checkpoint.completion_time_ns = id * kSecond + 1;
  for (std::uint32_t subtask = 0; subtask < 2; ++subtask) {
    checkpoint.states[subtask] = testing::make_state(id, {subtask, 0});
    checkpoint.metrics[subtask] = testing::make_metrics({subtask, 0});
  }
  return checkpoint;
}

// Persists the metadata, then adds, as the coordinator does.
std::vector<CompletedCheckpoint> persist_and_add(CompletedCheckpointStore& store, InMemoryBlobStore& blobs,
                                                 CheckpointId id) {
  std::optional<Status> written;
  store.persist_metadata(checkpoint_with_id(id), [&](Status status) { written = status; });
  blobs.run_pending();
  REQUIRE(written.has_value());
  REQUIRE(written->is_ok());
  return store.add(checkpoint_with_id(id));
}

Result<StoreRecovery> recover(CompletedCheckpointStore& store, InMemoryBlobStore& blobs) {
  std::optional<Result<StoreRecovery>> result;
  store.recover([&](Result<StoreRecovery> r) { result.emplace(std::move(r)); });
  blobs.run_pending();
  CKPT_ASSERT(result.has_value(), "recovery did not finish");
  return std::move(*result);
}

TEST_CASE("coordinator store: num-retained 1 subsumes the previous checkpoint but keeps the latest",
          "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  CompletedCheckpointStore store(blobs, "job", 1);
  CHECK(store.latest() == nullptr);
  CHECK(persist_and_add(store, blobs, 1).empty());
  const std::vector<CompletedCheckpoint> subsumed = persist_and_add(store, blobs, 2);
  REQUIRE(subsumed.size() == 1);
  CHECK(subsumed[0].id == 1);
  REQUIRE(store.latest() != nullptr);
  CHECK(store.latest()->id == 2);
  CHECK(store.retained().size() == 1);
}

TEST_CASE("coordinator store: num-retained 3 keeps the newest three, oldest first", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  CompletedCheckpointStore store(blobs, "job", 3);
  std::vector<CheckpointId> subsumed_ids;
  for (CheckpointId id : {1, 2, 4, 7, 8}) {
    for (const CompletedCheckpoint& old : persist_and_add(store, blobs, id)) subsumed_ids.push_back(old.id);
  }
  CHECK(subsumed_ids == std::vector<CheckpointId>{1, 2});
  REQUIRE(store.retained().size() == 3);
  CHECK(store.retained()[0].id == 4);
  CHECK(store.retained()[2].id == 8);
  CHECK(store.latest()->id == 8);
}

TEST_CASE("coordinator store: metadata is written under <job>/chk-<id>/_metadata", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  CompletedCheckpointStore store(blobs, "wordcount", 1);
  persist_and_add(store, blobs, 12);
  CHECK(CompletedCheckpointStore::metadata_name("wordcount", 12) == "wordcount/chk-12/_metadata");
  REQUIRE(blobs.contains("wordcount/chk-12/_metadata"));
  Result<CompletedCheckpoint> decoded = deserialize_checkpoint_metadata(blobs.bytes("wordcount/chk-12/_metadata"));
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == checkpoint_with_id(12));
}

TEST_CASE("coordinator store: recovery picks the highest valid checkpoint", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  {
    CompletedCheckpointStore store(blobs, "job", 3);
    for (CheckpointId id : {3, 9, 10}) persist_and_add(store, blobs, id);
  }
  CompletedCheckpointStore restarted(blobs, "job", 3);
  Result<StoreRecovery> recovery = recover(restarted, blobs);
  REQUIRE(recovery.is_ok());
  CHECK(recovery.value().warnings.empty());
  CHECK(recovery.value().highest_seen_id == 10);
  REQUIRE(restarted.retained().size() == 3);
  CHECK(restarted.retained()[0].id == 3);
  CHECK(restarted.latest()->id == 10);
  CHECK(*restarted.latest() == checkpoint_with_id(10));
}

TEST_CASE("coordinator store: recovery fails on corrupt or truncated metadata and ignores malformed names",
          "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  {
    CompletedCheckpointStore store(blobs, "job", 3);
    for (CheckpointId id : {4, 5, 6}) persist_and_add(store, blobs, id);
  }
  blobs.put_now("job/chk-abc/_metadata", Bytes{1});
  {
    CompletedCheckpointStore restarted(blobs, "job", 3);
    Result<StoreRecovery> recovery = recover(restarted, blobs);
    REQUIRE(recovery.is_ok());
    CHECK(recovery.value().warnings.size() == 1);  // the malformed name
    CHECK(restarted.latest()->id == 6);
  }
  blobs.truncate("job/chk-5/_metadata", 17);
  {
    CompletedCheckpointStore restarted(blobs, "job", 3);
    Result<StoreRecovery> recovery = recover(restarted, blobs);
    REQUIRE_FALSE(recovery.is_ok());
    CHECK(recovery.status().code() == StatusCode::kCorruption);
    CHECK_THAT(recovery.status().message(), Catch::Contains("chk-5"));
    CHECK_FALSE(restarted.is_recovering());
    CHECK(restarted.latest() == nullptr);
  }
  blobs.flip_byte("job/chk-6/_metadata", 40);
  {
    CompletedCheckpointStore restarted(blobs, "job", 3);
    Result<StoreRecovery> recovery = recover(restarted, blobs);
    REQUIRE_FALSE(recovery.is_ok());
    CHECK_THAT(recovery.status().message(), Catch::Contains("chk-6"));
  }
}

TEST_CASE("coordinator store: metadata holding another id fails recovery", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  blobs.put_now("job/chk-8/_metadata", serialize_checkpoint_metadata(checkpoint_with_id(3)));
  CompletedCheckpointStore store(blobs, "job", 1);
  Result<StoreRecovery> recovery = recover(store, blobs);
  REQUIRE_FALSE(recovery.is_ok());
  CHECK_THAT(recovery.status().message(), Catch::Contains("holds checkpoint 3"));
  CHECK(store.latest() == nullptr);
}

TEST_CASE("coordinator store: older valid checkpoints beyond num-retained come back as orphans",
          "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  for (CheckpointId id : {1, 2, 3}) {
    blobs.put_now(CompletedCheckpointStore::metadata_name("job", id), serialize_checkpoint_metadata(checkpoint_with_id(id)));
  }
  CompletedCheckpointStore store(blobs, "job", 1);
  Result<StoreRecovery> recovery = recover(store, blobs);
  REQUIRE(recovery.is_ok());
  CHECK(store.latest()->id == 3);
  REQUIRE(recovery.value().orphaned.size() == 2);
  CHECK(recovery.value().orphaned[0].id == 2);
  CHECK(recovery.value().orphaned[1].id == 1);
}

TEST_CASE("coordinator store: unavailable storage fails the recovery instead of picking an older checkpoint",
          "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  {
    CompletedCheckpointStore store(blobs, "job", 1);
    persist_and_add(store, blobs, 1);
  }
  blobs.fail_gets(StatusCode::kUnavailable, 1);
  CompletedCheckpointStore restarted(blobs, "job", 1);
  Result<StoreRecovery> failed = recover(restarted, blobs);
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::kUnavailable);
  CHECK(restarted.latest() == nullptr);
  // A retry succeeds.
  Result<StoreRecovery> retried = recover(restarted, blobs);
  REQUIRE(retried.is_ok());
  CHECK(restarted.latest()->id == 1);
}

TEST_CASE("coordinator id counter: ids keep increasing across restarts", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  CheckpointId last = kNoCheckpointId;
  for (int incarnation = 0; incarnation < 3; ++incarnation) {
    CheckpointIdCounter counter(blobs, "job");
    counter.recover(kNoCheckpointId);
    for (int i = 0; i < 4; ++i) {
      const CheckpointId id = counter.reserve();
      CHECK(id > last);
      last = id;
      std::optional<Status> persisted;
      counter.persist(id, [&](Status status) { persisted = status; });
      blobs.run_pending();
      REQUIRE(persisted.has_value());
      CHECK(persisted->is_ok());
    }
  }
  CHECK(last == 12);
  // Old counter blobs are cleaned up; only the newest is left.
  CHECK(blobs.list(CheckpointIdCounter::blob_prefix("job")) == std::vector<std::string>{"job/checkpoint-id-counter/12"});
}

TEST_CASE("coordinator id counter: a failed persist does not raise the floor, known ids do", "[unit][coordinator]") {
  InMemoryBlobStore blobs;
  {
    CheckpointIdCounter counter(blobs, "job");
    counter.recover(kNoCheckpointId);
    const CheckpointId id = counter.reserve();
    blobs.fail_puts_with_prefix("job/checkpoint-id-counter/", 1);
    std::optional<Status> persisted;
    counter.persist(id, [&](Status status) { persisted = status; });
    blobs.run_pending();
    REQUIRE(persisted.has_value());
    CHECK_FALSE(persisted->is_ok());
  }
  CheckpointIdCounter restarted(blobs, "job");
  restarted.recover(kNoCheckpointId);
  CHECK(restarted.next_id() == 1);  // id 1 never reached a task
  CheckpointIdCounter with_metadata(blobs, "job");
  with_metadata.recover(41);
  CHECK(with_metadata.next_id() == 42);
}

}  // namespace
}  // namespace ckptsim
