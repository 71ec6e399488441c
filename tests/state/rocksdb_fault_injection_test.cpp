// Storage faults under the RocksDB backend's local files (RocksDbFaultInjectingFileSystem
// through the backend's Env parameter): a failed fsync or write makes the checkpoint
// fail instead of persisting lost data; a torn write or a flipped bit in an SST file
// is never restored as if it were intact; a power loss keeps exactly what was synced.
#include <catch2/catch.hpp>
#include <rocksdb/env.h>

#include <filesystem>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/rocksdb_checkpoint_store.h"
#include "protocol/state/rocksdb_env_util.h"
#include "protocol/state/rocksdb_incremental_checkpointer.h"
#include "sim/storage/rocksdb_fault_injecting_file_system.h"
#include "tests/state/rocksdb_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using namespace ckptsim::test;
using ckptsim::testing::ScratchDirectory;

namespace {

const std::string kJob = "job";
constexpr std::uint32_t kMaxP = 32;

struct FaultyEnv {
  std::shared_ptr<RocksDbFaultInjectingFileSystem> fs =
      std::make_shared<RocksDbFaultInjectingFileSystem>(rocksdb::FileSystem::Default(), Rng(11));
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
};

// Takes checkpoint `id` and, when it succeeds, restores it into a fresh backend on the
// default Env. Returns the restore's status (or the snapshot's error) and the entries.
struct RoundTrip {
  Status snapshot;
  Status restore;
  std::vector<StateEntry> restored;
};

RoundTrip checkpoint_and_restore(const ScratchDirectory& scratch, RocksDbStateBackend& db, CheckpointId id) {
  PosixFileSystem fs;
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  RocksDbIncrementalCheckpointer checkpointer(db, storage, kJob, "agg-0", static_cast<std::uint64_t>(id));
  IncrementalCheckpointStore store(storage, kJob, 1);
  RoundTrip out;
  Result<IncrementalSnapshotHandle> handle = checkpointer.snapshot(id);
  if (!handle.is_ok()) {
    out.snapshot = handle.status();
    return out;
  }
  REQUIRE(store.complete_checkpoint(id, {handle.value()}).is_ok());
  Result<RestoredCheckpoint> checkpoint = storage.read_checkpoint(kJob, id);
  REQUIRE(checkpoint.is_ok());
  auto target = open_rocksdb(scratch / ("restored-" + std::to_string(id)), kMaxP, whole_range(kMaxP));
  RocksDbIncrementalCheckpointer restorer(*target, storage, kJob, "agg-0", 999);
  out.restore = restorer.restore(checkpoint.value(), {"agg-0"});
  out.restored = entries_of(*target);
  return out;
}

}  // namespace

TEST_CASE("rocksdb faults: a failed fsync fails the checkpoint and the backend reports it", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  FaultyEnv faulty;
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP), true, faulty.env.get());
  put_all(*db, entries_in_range(0, 300, kMaxP, whole_range(kMaxP)));
  faulty.fs->fail_next(RocksDbFileOperation::kSync, 1);
  const RoundTrip trip = checkpoint_and_restore(scratch, *db, 1);
  CHECK_FALSE(trip.snapshot.is_ok());
  CHECK(faulty.fs->counters().injected_failures == 1);
}

TEST_CASE("rocksdb faults: a failed append fails the checkpoint", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  FaultyEnv faulty;
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP), true, faulty.env.get());
  put_all(*db, entries_in_range(0, 300, kMaxP, whole_range(kMaxP)));
  faulty.fs->fail_next(RocksDbFileOperation::kAppend, 1);
  const RoundTrip trip = checkpoint_and_restore(scratch, *db, 1);
  CHECK_FALSE(trip.snapshot.is_ok());
}

TEST_CASE("rocksdb faults: a torn SST write is never restored as intact state", "[unit][rocksdb]") {
  for (const std::uint64_t keep : {0ULL, 7ULL, 100ULL}) {
    INFO("torn append keeps " << keep << " bytes");
    ScratchDirectory scratch;
    FaultyEnv faulty;
    auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP), true, faulty.env.get());
    const auto entries = entries_in_range(0, 400, kMaxP, whole_range(kMaxP));
    put_all(*db, entries);
    faulty.fs->tear_next_append(keep);
    const RoundTrip trip = checkpoint_and_restore(scratch, *db, 1);
    CHECK(faulty.fs->counters().torn_appends == 1);
    // Either the flush or checkpoint noticed, or the restore refuses the damaged file;
    // a successful restore must then hold exactly the entries.
    if (trip.snapshot.is_ok() && trip.restore.is_ok()) {
      CHECK(trip.restored == entries_of(*db));
    } else {
      CHECK(trip.restored.empty());
    }
  }
}

TEST_CASE("rocksdb faults: a flipped bit in a local SST file is caught by the restore", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  FaultyEnv faulty;
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP), true, faulty.env.get());
  put_all(*db, entries_in_range(0, 400, kMaxP, whole_range(kMaxP)));
  REQUIRE(db->compact_all().is_ok());
  std::string sst;
  for (const auto& entry : std::filesystem::directory_iterator(scratch / "db")) {
    if (entry.path().extension() == ".sst") sst = entry.path().string();
  }
  REQUIRE_FALSE(sst.empty());
  REQUIRE(faulty.fs->flip_bit(sst, 8 * 200 + 1).is_ok());  // inside the first data block
  const RoundTrip trip = checkpoint_and_restore(scratch, *db, 1);
  REQUIRE(trip.snapshot.is_ok());  // the upload copies what is on disk
  CHECK(trip.restore.code() == StatusCode::kCorruption);
  CHECK(trip.restored.empty());
}

TEST_CASE("rocksdb faults: a power loss keeps synced data and durable names only", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  FaultyEnv faulty;
  rocksdb::Env& env = *faulty.env;
  const std::string dir = scratch / "d";
  REQUIRE(env.CreateDir(dir).ok());
  // durable: synced content, directory fsynced afterwards; then an unsynced tail.
  std::unique_ptr<rocksdb::WritableFile> durable;
  REQUIRE(env.NewWritableFile(dir + "/durable", &durable, rocksdb::EnvOptions()).ok());
  REQUIRE(durable->Append("synced").ok());
  REQUIRE(durable->Sync().ok());
  std::unique_ptr<rocksdb::Directory> handle;
  REQUIRE(env.NewDirectory(dir, &handle).ok());
  REQUIRE(handle->Fsync().ok());
  REQUIRE(durable->Append(" and lost").ok());
  // fresh: synced content but its name was never made durable.
  std::unique_ptr<rocksdb::WritableFile> fresh;
  REQUIRE(env.NewWritableFile(dir + "/fresh", &fresh, rocksdb::EnvOptions()).ok());
  REQUIRE(fresh->Append("gone").ok());
  REQUIRE(fresh->Sync().ok());
  REQUIRE(durable->Close().ok());
  REQUIRE(fresh->Close().ok());

  faulty.fs->freeze_after(faulty.fs->operation_count());
  std::unique_ptr<rocksdb::WritableFile> late;
  CHECK_FALSE(env.NewWritableFile(dir + "/late", &late, rocksdb::EnvOptions()).ok());  // after the crash point
  REQUIRE(faulty.fs->power_loss().is_ok());

  Result<Bytes> kept = read_whole_file(env, dir + "/durable");
  REQUIRE(kept.is_ok());
  CHECK(std::string(kept.value().begin(), kept.value().end()) == "synced");
  CHECK(env.FileExists(dir + "/fresh").IsNotFound());
  CHECK(env.FileExists(dir + "/late").IsNotFound());
  CHECK(faulty.fs->counters().files_truncated == 1);
  CHECK(faulty.fs->counters().files_deleted == 1);
}
