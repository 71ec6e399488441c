// Crash consistency of incremental RocksDB checkpoints and of shared-file cleanup: the
// checkpoint storage machine loses power after ANY file system operation of a sequence
// of incremental checkpoints (shared SST uploads, private files, handles, _metadata
// commits) and subsumptions (metadata removal, private file removal, shared file
// deletion). Recovery on a fresh store then finds exactly the latest checkpoint that
// completed before the crash, never a partial one, never one whose shared file was
// deleted; its state restores to exactly the entries snapshotted; no shared file
// survives the recovery sweep unless a completed checkpoint refers to it; and the
// restarted job checkpoints again over the crash debris.
#include <catch2/catch.hpp>
#include <rocksdb/env.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/rocksdb_checkpoint_store.h"
#include "protocol/state/rocksdb_incremental_checkpointer.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "tests/state/rocksdb_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using namespace ckptsim::test;
using ckptsim::testing::ScratchDirectory;

namespace {

const std::string kJob = "job";
const std::string kTask = "agg-0";
constexpr std::uint32_t kMaxP = 32;
constexpr CheckpointId kLastId = 4;
constexpr FaultInjectingFileSystemOptions kModelledSyncs{false};

// The task's local database lives in memory (rocksdb's MemEnv, through the backend's
// Env parameter): the crash is the checkpoint storage's, and real fsyncs of local
// files would only slow the enumeration down.
rocksdb::Env& local_env() {
  static const std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  return *env;
}

// The entries each checkpoint id snapshotted, filled in by the workload.
using ExpectedStates = std::map<CheckpointId, std::vector<StateEntry>>;

// Checkpoints 1..kLastId with one retained: 2 adds a new SST next to 1's (1's file is
// carried over), 3 follows a full compaction (1's and 2's files become unreferenced
// and are deleted when 2 is subsumed), 4 adds one more. Stops at the first failure and
// returns the last id whose completion returned ok.
CheckpointId run_workload(const std::string& db_dir, FileCheckpointStorage& storage, ExpectedStates& expected) {
  auto db = open_rocksdb(db_dir, kMaxP, whole_range(kMaxP), true, &local_env());
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, kTask, 0xC0FFEE);
  IncrementalCheckpointStore store(storage, kJob, 1);
  CheckpointId completed = kNoCheckpointId;
  for (CheckpointId id = 1; id <= kLastId; ++id) {
    put_all(*db, entries_in_range(static_cast<std::uint64_t>(id) * 100, 150, kMaxP, whole_range(kMaxP),
                                  static_cast<std::uint64_t>(id)));
    if (id == 3) {
      db->remove(120, 0);
      REQUIRE(db->compact_all().is_ok());
    }
    expected[id] = entries_of(*db);
    Result<IncrementalSnapshotHandle> handle = checkpointer.snapshot(id);
    if (!handle.is_ok()) return completed;
    if (!store.complete_checkpoint(id, {handle.value()}).is_ok()) return completed;
    completed = id;
    checkpointer.notify_checkpoint_complete(id);
    if (!store.subsume().is_ok()) return completed;
  }
  return completed;
}

std::uint64_t count_operations() {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(0), kModelledSyncs);
  FileCheckpointStorage storage(fs, scratch / "root");
  ExpectedStates expected;
  CKPT_ASSERT(run_workload(scratch / "db", storage, expected) == kLastId, "the fault-free workload completes");
  return fs.operation_count();
}

// What a recovering job sees. Returns the first problem, or "".
std::string check_recovery(const std::string& scratch, FileCheckpointStorage& storage, CheckpointId completed,
                           const ExpectedStates& expected) {
  IncrementalCheckpointStore store(storage, kJob, 1);
  Result<RecoveredIncrementalCheckpoint> recovered = store.recover();
  if (completed == kNoCheckpointId) {
    if (recovered.is_ok()) {
      return "restored checkpoint " + std::to_string(recovered.value().checkpoint.id) + ", none completed";
    }
    const bool none = recovered.status().code() == StatusCode::kNotFound;
    return none ? "" : "recovery failed: " + recovered.status().to_string();
  }
  if (!recovered.is_ok()) return "nothing recovered: " + recovered.status().to_string();
  const RecoveredIncrementalCheckpoint& r = recovered.value();
  if (!r.skipped.empty()) return "a completed checkpoint was refused: " + r.skipped.front();
  if (r.checkpoint.id != completed) {
    return "recovered checkpoint " + std::to_string(r.checkpoint.id) + ", latest completed is " +
           std::to_string(completed);
  }
  // Nothing unreferenced survives the sweep; everything referenced is there.
  Result<std::vector<std::string>> shared = storage.list(IncrementalCheckpointStore::shared_prefix(kJob));
  if (!shared.is_ok()) return "listing shared files failed";
  if (shared.value() != store.registry().referenced_files()) return "shared files differ from the references";
  auto db = open_rocksdb(scratch + "/restored-" + std::to_string(completed), kMaxP, whole_range(kMaxP), true,
                         &local_env());
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, kTask, 0xBEEF);
  if (Status s = checkpointer.restore(r.checkpoint, {kTask}); !s.is_ok()) return "restore failed: " + s.to_string();
  if (entries_of(*db) != expected.at(completed)) return "restored state differs from the snapshot";
  // The restarted job carries on: crash debris must not get in the way of its next
  // checkpoint, and that checkpoint is what the next recovery finds.
  const CheckpointId next = kLastId + 1;
  put_all(*db, entries_in_range(5000, 50, kMaxP, whole_range(kMaxP)));
  Result<IncrementalSnapshotHandle> handle = checkpointer.snapshot(next);
  if (!handle.is_ok()) return "the restarted job cannot snapshot: " + handle.status().to_string();
  if (!store.complete_checkpoint(next, {handle.value()}).is_ok()) return "the restarted job cannot complete";
  if (!store.subsume().is_ok()) return "the restarted job cannot subsume";
  IncrementalCheckpointStore again(storage, kJob, 1);
  Result<RecoveredIncrementalCheckpoint> second = again.recover();
  if (!second.is_ok() || second.value().checkpoint.id != next) return "the restarted job's checkpoint is not found";
  if (!second.value().skipped.empty()) return "after restart: " + second.value().skipped.front();
  return "";
}

struct CrashOutcome {
  CheckpointId completed = kNoCheckpointId;
  std::string problem;
};

CrashOutcome crash_and_recover(std::uint64_t k, PowerLossOptions power_loss) {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(k), kModelledSyncs);
  CrashOutcome outcome;
  ExpectedStates expected;
  {
    FileCheckpointStorage storage(fs, scratch / "root");
    fs.freeze_after(k);
    outcome.completed = run_workload(scratch / "db", storage, expected);
  }
  if (Status s = fs.power_loss(power_loss); !s.is_ok()) return {outcome.completed, "power loss: " + s.to_string()};
  FileCheckpointStorage recovered(fs, scratch / "root");
  outcome.problem = check_recovery(scratch.path(), recovered, outcome.completed, expected);
  return outcome;
}

}  // namespace

TEST_CASE("rocksdb crash consistency: a power loss after every file operation of incremental checkpoints and "
          "cleanup recovers the latest completed checkpoint",
          "[unit][rocksdb]") {
  const std::uint64_t n = count_operations();
  CHECK(n > 100);
  for (const bool torn_tails : {false, true}) {
    std::vector<CheckpointId> completed_at;
    for (std::uint64_t k = 0; k <= n; ++k) {
      INFO("crash after operation " << k << " of " << n << (torn_tails ? ", torn tails" : ""));
      const CrashOutcome outcome = crash_and_recover(k, PowerLossOptions{torn_tails});
      CHECK(outcome.problem == "");
      completed_at.push_back(outcome.completed);
    }
    CHECK(completed_at.front() == kNoCheckpointId);
    CHECK(completed_at.back() == kLastId);
    CHECK(std::is_sorted(completed_at.begin(), completed_at.end()));
    for (CheckpointId id = 0; id <= kLastId; ++id) {
      CHECK(std::count(completed_at.begin(), completed_at.end(), id) > 0);
    }
  }
}

TEST_CASE("rocksdb crash consistency: a bit flip in a shared file makes recovery fall back, never restore it",
          "[unit][rocksdb]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(3));
  FileCheckpointStorage storage(fs, scratch / "root");
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP));
  RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, kTask, 7);
  IncrementalCheckpointStore store(storage, kJob, 2);
  put_all(*db, entries_in_range(0, 200, kMaxP, whole_range(kMaxP)));
  Result<IncrementalSnapshotHandle> first = checkpointer.snapshot(1);
  REQUIRE(first.is_ok());
  REQUIRE(store.complete_checkpoint(1, {first.value()}).is_ok());
  checkpointer.notify_checkpoint_complete(1);
  put_all(*db, entries_in_range(200, 100, kMaxP, whole_range(kMaxP)));
  Result<IncrementalSnapshotHandle> second = checkpointer.snapshot(2);
  REQUIRE(second.is_ok());
  REQUIRE(store.complete_checkpoint(2, {second.value()}).is_ok());
  REQUIRE(second.value().shared_files.size() == 2);
  // Damage the file only checkpoint 2 refers to: recovery must fall back to 1.
  const std::string only_in_2 = second.value().shared_files[1].storage_name;
  REQUIRE(fs.flip_bit(scratch / ("root/" + only_in_2), 8 * 40 + 3).is_ok());
  IncrementalCheckpointStore recovering(storage, kJob, 2);
  Result<RecoveredIncrementalCheckpoint> recovered = recovering.recover();
  REQUIRE(recovered.is_ok());
  CHECK(recovered.value().checkpoint.id == 1);
  CHECK(recovered.value().skipped.size() == 1);
}
