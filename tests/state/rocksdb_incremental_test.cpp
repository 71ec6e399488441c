// Incremental RocksDB checkpoints: only new SST files are uploaded, shared files live
// exactly as long as a retained checkpoint refers to them, and incremental checkpoints
// restore at the same and at another parallelism (2 -> 3, 3 -> 2).
#include <catch2/catch.hpp>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/rocksdb_checkpoint_store.h"
#include "protocol/state/rocksdb_incremental_checkpointer.h"
#include "protocol/state/shared_state_registry.h"
#include "tests/state/rocksdb_test_support.h"

using namespace ckptsim;
using namespace ckptsim::test;
using ckptsim::testing::ScratchDirectory;

namespace {

const std::string kJob = "job";

bool shared_file_exists(FileCheckpointStorage& storage, const std::string& name) {
  Result<Bytes> bytes = storage.read(name);
  return bytes.is_ok();
}

// Takes checkpoint `id` of one task and completes it in the store.
IncrementalSnapshotHandle checkpoint_one(RocksDbIncrementalCheckpointer& checkpointer,
                                         IncrementalCheckpointStore& store, CheckpointId id,
                                         IncrementalUploadStats* stats = nullptr) {
  Result<IncrementalSnapshotHandle> handle = checkpointer.snapshot(id, stats);
  REQUIRE(handle.is_ok());
  REQUIRE(store.complete_checkpoint(id, {handle.value()}).is_ok());
  checkpointer.notify_checkpoint_complete(id);
  REQUIRE(store.subsume().is_ok());
  return handle.value();
}

}  // namespace

TEST_CASE("shared state registry: a file is unreferenced after its last checkpoint", "[unit][rocksdb]") {
  SharedStateRegistry registry;
  registry.register_checkpoint(1, {"a", "b"});
  registry.register_checkpoint(2, {"b", "c", "c"});
  CHECK(registry.reference_count("b") == 2);
  CHECK(registry.reference_count("c") == 1);
  CHECK(registry.unregister_checkpoint(1) == std::vector<std::string>{"a"});
  CHECK(registry.unregister_checkpoint(1).empty());
  CHECK(registry.reference_count("b") == 1);
  CHECK(registry.unregister_checkpoint(2) == std::vector<std::string>{"b", "c"});
  CHECK(registry.file_count() == 0);
}

TEST_CASE("rocksdb incremental: handle encoding round-trips and rejects damage", "[unit][rocksdb]") {
  IncrementalSnapshotHandle h;
  h.backend_uid = 42;
  h.max_parallelism = 128;
  h.key_group_range = KeyGroupRange{10, 20};
  h.shared_files = {{"000009.sst", "job/shared/x-000009.sst", 1234, 77}};
  h.private_files = {{"CURRENT", "t.CURRENT", 16, 5}, {"MANIFEST-000005", "t.MANIFEST-000005", 99, 6}};
  const Bytes bytes = encode_incremental_handle(h);
  Result<IncrementalSnapshotHandle> decoded = decode_incremental_handle(bytes);
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == h);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    Bytes damaged = bytes;
    damaged[i] ^= 0x01;
    CHECK(decode_incremental_handle(damaged).status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("rocksdb incremental: a checkpoint uploads only the SST files not uploaded before", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  IncrementalCheckpointStore store(storage, kJob, 1);
  auto db = open_rocksdb(scratch / "db", 64, whole_range(64));
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "agg-0", 0xA1);

  put_all(*db, entries_in_range(0, 1000, 64, whole_range(64)));
  IncrementalUploadStats first;
  const IncrementalSnapshotHandle h1 = checkpoint_one(checkpointer, store, 1, &first);
  CHECK(first.shared_files_uploaded == 1);
  CHECK(first.shared_files_reused == 0);
  CHECK(h1.private_files.size() >= 3);  // CURRENT, MANIFEST, OPTIONS

  put_all(*db, entries_in_range(1000, 100, 64, whole_range(64)));
  IncrementalUploadStats second;
  const IncrementalSnapshotHandle h2 = checkpoint_one(checkpointer, store, 2, &second);
  CHECK(second.shared_files_uploaded == 1);
  CHECK(second.shared_files_reused == 1);
  CHECK(second.shared_bytes_uploaded < first.shared_bytes_uploaded);
  REQUIRE(h2.shared_files.size() == 2);
  CHECK(h2.shared_files[0] == h1.shared_files[0]);

  // Nothing changed: nothing shared is uploaded again.
  IncrementalUploadStats third;
  checkpoint_one(checkpointer, store, 3, &third);
  CHECK(third.shared_files_uploaded == 0);
  CHECK(third.shared_files_reused == 2);
}

TEST_CASE("rocksdb incremental: a shared file is deleted only after its last checkpoint is subsumed",
          "[unit][rocksdb]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  IncrementalCheckpointStore store(storage, kJob, 1);
  auto db = open_rocksdb(scratch / "db", 64, whole_range(64));
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "agg-0", 0xB2);

  put_all(*db, entries_in_range(0, 500, 64, whole_range(64)));
  const IncrementalSnapshotHandle h1 = checkpoint_one(checkpointer, store, 1);
  const std::string a = h1.shared_files.at(0).storage_name;
  put_all(*db, entries_in_range(500, 500, 64, whole_range(64)));
  const IncrementalSnapshotHandle h2 = checkpoint_one(checkpointer, store, 2);  // subsumes 1
  REQUIRE(h2.shared_files.size() == 2);
  const std::string b = h2.shared_files.at(1).storage_name;
  CHECK(shared_file_exists(storage, a));  // still referenced by checkpoint 2
  CHECK(store.registry().reference_count(a) == 1);

  REQUIRE(db->compact_all().is_ok());  // A and B are merged into a new file C
  const IncrementalSnapshotHandle h3 = checkpoint_one(checkpointer, store, 3);  // subsumes 2
  REQUIRE(h3.shared_files.size() == 1);
  CHECK_FALSE(shared_file_exists(storage, a));
  CHECK_FALSE(shared_file_exists(storage, b));
  CHECK(shared_file_exists(storage, h3.shared_files[0].storage_name));
  CHECK(store.registry().file_count() == 1);

  // A fresh store finds checkpoint 3 and nothing to sweep.
  IncrementalCheckpointStore recovered(storage, kJob, 1);
  Result<RecoveredIncrementalCheckpoint> latest = recovered.recover();
  REQUIRE(latest.is_ok());
  CHECK(latest.value().checkpoint.id == 3);
  CHECK(latest.value().skipped.empty());
  CHECK(latest.value().swept_files.empty());
}

TEST_CASE("rocksdb incremental: restore at the same parallelism re-uses the restored files", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  IncrementalCheckpointStore store(storage, kJob, 2);
  std::vector<StateEntry> expected;
  {
    auto db = open_rocksdb(scratch / "db", 64, whole_range(64));
    RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "agg-0", 1);
    put_all(*db, entries_in_range(0, 800, 64, whole_range(64)));
    checkpoint_one(checkpointer, store, 1);
    db->remove(3, 0);
    put_all(*db, entries_in_range(800, 50, 64, whole_range(64), 5));
    checkpoint_one(checkpointer, store, 2);
    expected = entries_of(*db);
  }
  IncrementalCheckpointStore recovered_store(storage, kJob, 2);
  Result<RecoveredIncrementalCheckpoint> latest = recovered_store.recover();
  REQUIRE(latest.is_ok());
  REQUIRE(latest.value().checkpoint.id == 2);
  auto db = open_rocksdb(scratch / "db-restored", 64, whole_range(64));
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "agg-0", 2);
  REQUIRE(checkpointer.restore(latest.value().checkpoint, {"agg-0"}).is_ok());
  CHECK(entries_of(*db) == expected);
  CHECK(db->entry_count() == expected.size());
  // Full snapshot of the restored database equals the original's entries.
  auto memory = make_memory_state_backend(64, whole_range(64));
  put_all(*memory, expected);
  CHECK(db->snapshot().value() == memory->snapshot().value());

  IncrementalUploadStats stats;
  db->put(5000, 0, StateValue{1, 2});
  Result<IncrementalSnapshotHandle> next = checkpointer.snapshot(3, &stats);
  REQUIRE(next.is_ok());
  CHECK(stats.shared_files_reused == 2);
  CHECK(stats.shared_files_uploaded == 1);
}

TEST_CASE("rocksdb incremental: rescaling restore 2 -> 3 and 3 -> 2", "[unit][rocksdb]") {
  constexpr std::uint32_t kMaxP = 128;
  for (const auto& [from_p, to_p] : {std::pair<std::uint32_t, std::uint32_t>{2, 3}, {3, 2}}) {
    ScratchDirectory scratch;
    PosixFileSystem fs;
    FileCheckpointStorage storage(fs, scratch / "checkpoints");
    IncrementalCheckpointStore store(storage, kJob, 1);
    EntryMap expected;
    std::vector<std::string> tasks;
    {
      std::vector<std::unique_ptr<RocksDbStateBackend>> dbs;
      std::vector<std::unique_ptr<RocksDbIncrementalCheckpointer>> checkpointers;
      for (std::uint32_t i = 0; i < from_p; ++i) {
        const KeyGroupRange range = key_group_range_for_operator_index(kMaxP, from_p, i);
        dbs.push_back(open_rocksdb(scratch / ("from-" + std::to_string(i)), kMaxP, range));
        tasks.push_back("agg-" + std::to_string(i));
        checkpointers.push_back(std::make_unique<RocksDbIncrementalCheckpointer>(*dbs.back(), storage, kJob,
                                                                                 tasks.back(), 100 + i));
        const auto entries = entries_in_range(0, 3000, kMaxP, range);
        put_all(*dbs.back(), entries);
        for (const StateEntry& e : entries) expected[{e.key, e.name_space}] = e.value;
      }
      for (CheckpointId id = 1; id <= 2; ++id) {
        std::vector<IncrementalSnapshotHandle> handles;
        for (auto& c : checkpointers) {
          Result<IncrementalSnapshotHandle> h = c->snapshot(id);
          REQUIRE(h.is_ok());
          handles.push_back(h.value());
        }
        REQUIRE(store.complete_checkpoint(id, handles).is_ok());
        for (auto& c : checkpointers) c->notify_checkpoint_complete(id);
        REQUIRE(store.subsume().is_ok());
      }
    }
    IncrementalCheckpointStore recovered_store(storage, kJob, 1);
    Result<RecoveredIncrementalCheckpoint> latest = recovered_store.recover();
    REQUIRE(latest.is_ok());
    EntryMap restored;
    for (std::uint32_t i = 0; i < to_p; ++i) {
      const KeyGroupRange range = key_group_range_for_operator_index(kMaxP, to_p, i);
      auto db = open_rocksdb(scratch / ("to-" + std::to_string(i)), kMaxP, range);
      RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "new-" + std::to_string(i), 200 + i);
      REQUIRE(checkpointer.restore(latest.value().checkpoint, tasks).is_ok());
      CHECK(db->entry_count() == entries_of(*db).size());
      for (const StateEntry& e : entries_of(*db)) {
        CHECK(range.contains(key_group_for_key(e.key, kMaxP)));
        restored[{e.key, e.name_space}] = e.value;
      }
    }
    CHECK(restored == expected);
  }
}
