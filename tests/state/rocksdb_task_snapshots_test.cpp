// RocksDbTaskSnapshots, the task side of incremental RocksDB checkpoints as StreamTask
// uses them: what a snapshot uploads (only files not in the last confirmed checkpoint),
// its modelled sizes (the simulator's durations come from them), and restores in place
// and across key-group ranges (rescaling), with damaged files refused.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "protocol/state/rocksdb_task_snapshots.h"
#include "tests/state/rocksdb_test_support.h"

using namespace ckptsim;
using namespace ckptsim::test;
using ckptsim::testing::ScratchDirectory;

namespace {

constexpr std::uint32_t kMaxP = 128;
constexpr std::uint64_t kEntry = RocksDbTaskSnapshots::kModelledEntryBytes;

std::unique_ptr<RocksDbStateBackend> open_task_backend(const std::string& dir, KeyGroupRange range) {
  RocksDbBackendOptions options;
  options.working_dir = dir;
  RocksDbTaskSnapshots::required_backend_options(options);
  Result<std::unique_ptr<RocksDbStateBackend>> backend = RocksDbStateBackend::open(kMaxP, range, options);
  CKPT_ASSERT(backend.is_ok(), "a test backend opens");
  return std::move(backend).value();
}

// What the caller of prepare() would have uploaded: every blob by name.
struct UploadedBlobs {
  std::map<std::string, Bytes> shared;  // shared files by storage name
  std::map<std::string, Bytes> privates;

  void add(const PreparedTaskSnapshot& snapshot, const std::string& private_name) {
    for (const SnapshotUpload& upload : snapshot.uploads) {
      (upload.name == private_name ? privates : shared)[upload.name] = upload.bytes;
    }
  }
};

PreparedTaskSnapshot prepare(RocksDbTaskSnapshots& snapshots, CheckpointId id, const std::string& private_name) {
  Result<PreparedTaskSnapshot> prepared = snapshots.prepare(id, private_name);
  REQUIRE(prepared.is_ok());
  return std::move(prepared).value();
}

TaskSnapshotContents contents_of(const UploadedBlobs& blobs, const std::string& private_name) {
  Result<TaskSnapshotContents> contents = RocksDbTaskSnapshots::decode_private_blob(blobs.privates.at(private_name));
  REQUIRE(contents.is_ok());
  return std::move(contents).value();
}

std::uint64_t private_modelled(const PreparedTaskSnapshot& snapshot) {
  return RocksDbTaskSnapshots::kModelledPrivateBytes +
         RocksDbTaskSnapshots::kModelledReferenceBytes * snapshot.handle.shared_blob_names.size();
}

}  // namespace

TEST_CASE("task snapshots: a checkpoint after a confirmed one uploads only its new file, modelled by the changes",
          "[unit][rocksdb]") {
  ScratchDirectory scratch;
  auto backend = open_task_backend(scratch / "db", whole_range(kMaxP));
  RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-");
  put_all(*backend, entries_in_range(0, 500, kMaxP, whole_range(kMaxP)));
  const PreparedTaskSnapshot first = prepare(snapshots, 1, "job/chk-1/op-0");
  REQUIRE(first.uploads.size() == 2);  // one SST file, then the private blob
  CHECK(first.uploads.back().name == "job/chk-1/op-0");
  CHECK(first.uploaded_modelled_bytes == 500 * kEntry + private_modelled(first));
  snapshots.confirm(1);

  put_all(*backend, entries_in_range(0, 40, kMaxP, whole_range(kMaxP), 9));  // 40 entries change
  const PreparedTaskSnapshot second = prepare(snapshots, 2, "job/chk-2/op-0");
  REQUIRE(second.uploads.size() == 2);  // only the new SST file and the private blob
  CHECK(second.uploaded_modelled_bytes == 40 * kEntry + private_modelled(second));
  CHECK(second.full_modelled_bytes == 540 * kEntry + private_modelled(second));
  // It refers to the first checkpoint's file again, by the same storage name.
  REQUIRE(second.handle.shared_blob_names.size() == 2);
  CHECK(second.handle.shared_blob_names[0] == first.handle.shared_blob_names[0]);
}

TEST_CASE("task snapshots: files of a checkpoint that was never confirmed are uploaded again", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  auto backend = open_task_backend(scratch / "db", whole_range(kMaxP));
  RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-");
  put_all(*backend, entries_in_range(0, 300, kMaxP, whole_range(kMaxP)));
  const PreparedTaskSnapshot first = prepare(snapshots, 1, "job/chk-1/op-0");
  put_all(*backend, entries_in_range(0, 10, kMaxP, whole_range(kMaxP), 3));
  const PreparedTaskSnapshot second = prepare(snapshots, 2, "job/chk-2/op-0");  // 1 never confirmed
  CHECK(second.uploads.size() == 3);  // both SST files anew, then the private blob
  for (const std::string& name : second.handle.shared_blob_names) {
    CHECK(name.find("c2-") != std::string::npos);  // no name of checkpoint 1 is re-used
  }
  CHECK(first.handle.shared_blob_names.size() == 1);
}

TEST_CASE("task snapshots: an in-place restore counts the restored files as uploaded", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  const KeyGroupRange range{0, 63};
  const auto entries = entries_in_range(0, 400, kMaxP, range);
  UploadedBlobs blobs;
  {
    auto backend = open_task_backend(scratch / "old", range);
    RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-a0-");
    put_all(*backend, entries);
    blobs.add(prepare(snapshots, 1, "job/chk-1/op-0"), "job/chk-1/op-0");
  }
  auto backend = open_task_backend(scratch / "new", range);
  RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-a1-");
  REQUIRE(snapshots.restore(contents_of(blobs, "job/chk-1/op-0"), blobs.shared).is_ok());
  CHECK(model_of(entries_of(*backend)) == model_of(entries));
  CHECK(snapshots.confirmed_shared_files() == 1);
  put_all(*backend, entries_in_range(0, 20, kMaxP, range, 5));
  const PreparedTaskSnapshot next = prepare(snapshots, 2, "job/chk-2/op-0");
  CHECK(next.uploads.size() == 2);  // the restored file is referred to, not uploaded again
  const std::size_t changed = entries_in_range(0, 20, kMaxP, range).size();
  CHECK(next.uploaded_modelled_bytes == changed * kEntry + private_modelled(next));
}

TEST_CASE("task snapshots: a rescaling restore merges two ranges and models the next snapshot from every entry",
          "[unit][rocksdb]") {
  ScratchDirectory scratch;
  const KeyGroupRange low{0, 63};
  const KeyGroupRange high{64, 127};
  std::vector<StateEntry> all;
  UploadedBlobs blobs;
  std::vector<TaskSnapshotContents> contents;
  int subtask = 0;
  for (const KeyGroupRange range : {low, high}) {
    const std::string n = std::to_string(subtask++);
    auto backend = open_task_backend(scratch / ("old-" + n), range);
    RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-" + n + "-a0-");
    const auto entries = entries_in_range(0, 600, kMaxP, range);
    all.insert(all.end(), entries.begin(), entries.end());
    put_all(*backend, entries);
    const std::string name = "job/chk-1/op-" + n;
    blobs.add(prepare(snapshots, 1, name), name);
    contents.push_back(contents_of(blobs, name));
  }
  // Parallelism 2 -> 1: one subtask now owns every key group.
  auto backend = open_task_backend(scratch / "new", whole_range(kMaxP));
  RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-a1-");
  REQUIRE(snapshots.restore(std::span<const TaskSnapshotContents>(contents), blobs.shared).is_ok());
  CHECK(model_of(entries_of(*backend)) == model_of(all));
  CHECK(snapshots.confirmed_shared_files() == 0);  // copied into new files: nothing is re-used
  // The copy wrote no tracked change, yet the next snapshot uploads every live entry; its
  // modelled size says so (before the fix it was modelled as the private blob alone).
  const PreparedTaskSnapshot next = prepare(snapshots, 2, "job/chk-2/op-0");
  CHECK(next.uploaded_modelled_bytes == all.size() * kEntry + private_modelled(next));
  // Later snapshots are measured by their changes again.
  snapshots.confirm(2);
  put_all(*backend, entries_in_range(0, 10, kMaxP, whole_range(kMaxP), 7));
  const PreparedTaskSnapshot after = prepare(snapshots, 3, "job/chk-3/op-0");
  CHECK(after.uploaded_modelled_bytes == 10 * kEntry + private_modelled(after));
}

TEST_CASE("task snapshots: a damaged or missing shared file fails the restore and leaves the backend empty",
          "[unit][rocksdb]") {
  ScratchDirectory scratch;
  UploadedBlobs blobs;
  {
    auto backend = open_task_backend(scratch / "old", whole_range(kMaxP));
    RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-a0-");
    put_all(*backend, entries_in_range(0, 200, kMaxP, whole_range(kMaxP)));
    blobs.add(prepare(snapshots, 1, "job/chk-1/op-0"), "job/chk-1/op-0");
  }
  const TaskSnapshotContents contents = contents_of(blobs, "job/chk-1/op-0");
  REQUIRE(blobs.shared.size() == 1);
  auto backend = open_task_backend(scratch / "new", whole_range(kMaxP));
  RocksDbTaskSnapshots snapshots(*backend, "job/shared/op-0-a1-");

  UploadedBlobs damaged = blobs;
  damaged.shared.begin()->second[damaged.shared.begin()->second.size() / 2] ^= 0x10;
  const Status refused = snapshots.restore(contents, damaged.shared);
  CHECK(refused.code() == StatusCode::kCorruption);
  CHECK(backend->entry_count() == 0);

  const Status missing = snapshots.restore(contents, {});
  CHECK(missing.code() == StatusCode::kNotFound);
  CHECK(backend->entry_count() == 0);

  REQUIRE(snapshots.restore(contents, blobs.shared).is_ok());
  CHECK(backend->entry_count() == 200);
}
