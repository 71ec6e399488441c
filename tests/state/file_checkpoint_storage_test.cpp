#include <catch2/catch.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocol/checkpoint/completed_checkpoint_store.h"
#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::files_below;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

namespace {

// Completions queue up here until the test runs them, like posts to an event loop.
struct QueuedExecutor {
  std::deque<std::function<void()>> queue;
  CompletionExecutor executor() {
    return [this](std::function<void()> completion) { queue.push_back(std::move(completion)); };
  }
  std::size_t run_pending() {
    std::size_t ran = 0;
    while (!queue.empty()) {
      std::function<void()> next = std::move(queue.front());
      queue.pop_front();
      next();
      ++ran;
    }
    return ran;
  }
};

struct Fixture {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  FileCheckpointStorage storage{fs, scratch / "checkpoints"};
  std::string root() const { return scratch / "checkpoints"; }
};

void write_checkpoint(FileCheckpointStorage& storage, CheckpointId id, std::size_t files = 2) {
  for (std::size_t i = 0; i < files; ++i) {
    const std::string file = "op-" + std::to_string(i) + "-a0";
    REQUIRE(storage.write_state_file("job", id, file, patterned_bytes(100 + i, static_cast<std::uint8_t>(id))).is_ok());
  }
  REQUIRE(storage.commit_checkpoint("job", id, bytes_of("metadata of " + std::to_string(id))).is_ok());
}

StatusCode restore_code(FileCheckpointStorage& storage, CheckpointId id) {
  Result<RestoredCheckpoint> restored = storage.read_checkpoint("job", id);
  return restored.is_ok() ? StatusCode::kOk : restored.status().code();
}

}  // namespace

TEST_CASE("file storage: a written blob reads back exactly and lands framed at its path", "[unit][file-storage]") {
  Fixture f;
  const Bytes payload = patterned_bytes(5000, 9);
  REQUIRE(f.storage.write("job/jm-epoch", payload).is_ok());
  Result<Bytes> read = f.storage.read("job/jm-epoch");
  REQUIRE(read.is_ok());
  CHECK(read.value() == payload);
  CHECK(files_below(f.root()) == std::vector<std::string>{"job/jm-epoch"});
  CHECK(f.fs.file_size(f.root() + "/job/jm-epoch").value() == payload.size() + kStoredFileFrameBytes);
  REQUIRE(f.storage.write("job/jm-epoch", bytes_of("replaced")).is_ok());
  CHECK(f.storage.read("job/jm-epoch").value() == bytes_of("replaced"));
  CHECK(f.storage.read("job/unknown").status().code() == StatusCode::kNotFound);
}

TEST_CASE("file storage: names that could escape the root or collide with temporaries are refused",
          "[unit][file-storage]") {
  Fixture f;
  for (const std::string& name : std::vector<std::string>{"", "/abs", "job//x", "job/../x", "job/./x", "job/x.0.ckpt-tmp", "a/b/c/d/e/f/g/h/i",
                                 std::string("job/") + std::string(201, 'n')}) {
    INFO(name);
    CHECK(f.storage.write(name, bytes_of("x")).code() == StatusCode::kInvalidArgument);
    CHECK(f.storage.read(name).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK_FALSE(f.fs.exists(f.root()).value());
}

TEST_CASE("file storage: list returns names under a prefix, sorted, never temporary files", "[unit][file-storage]") {
  Fixture f;
  for (const std::string& name : std::vector<std::string>{"job/chk-10/_metadata", "job/chk-9/b", "job/chk-9/a", "job/jm-epoch",
                                 "job/checkpoint-id-counter/3", "job-2/chk-1/x", "other/z"}) {
    REQUIRE(f.storage.write(name, bytes_of(name)).is_ok());
  }
  REQUIRE(f.fs.new_writable_file(f.root() + "/job/chk-9/c.4.ckpt-tmp").is_ok());
  CHECK(f.storage.list("job/chk-").value() ==
        std::vector<std::string>{"job/chk-10/_metadata", "job/chk-9/a", "job/chk-9/b"});
  CHECK(f.storage.list("job/").value().size() == 5);
  CHECK(f.storage.list("job").value().size() == 6);  // job-2 too
  CHECK(f.storage.list("").value().size() == 7);
  CHECK(f.storage.list("nothing/").value().empty());
  CHECK(f.storage.list("../").value().empty());
}

TEST_CASE("file storage: remove is idempotent and takes an emptied checkpoint directory", "[unit][file-storage]") {
  Fixture f;
  REQUIRE(f.storage.write("job/chk-1/a", bytes_of("a")).is_ok());
  REQUIRE(f.storage.write("job/chk-1/b", bytes_of("b")).is_ok());
  REQUIRE(f.storage.remove("job/chk-1/a").is_ok());
  CHECK(f.storage.remove("job/chk-1/a").is_ok());
  CHECK(f.fs.exists(f.root() + "/job/chk-1").value());
  REQUIRE(f.storage.remove("job/chk-1/b").is_ok());
  CHECK_FALSE(f.fs.exists(f.root() + "/job/chk-1").value());
  CHECK(f.storage.remove("job/chk-1/b").is_ok());
}

TEST_CASE("file storage: a committed checkpoint restores exactly what was written", "[unit][file-storage]") {
  Fixture f;
  write_checkpoint(f.storage, 7, 3);
  Result<RestoredCheckpoint> restored = f.storage.read_checkpoint("job", 7);
  REQUIRE(restored.is_ok());
  CHECK(restored.value().id == 7);
  CHECK(restored.value().metadata == bytes_of("metadata of 7"));
  REQUIRE(restored.value().state_files.size() == 3);
  CHECK(restored.value().state_files.at("op-2-a0") == patterned_bytes(102, 7));
  CHECK(f.storage.list_completed("job").value() == std::vector<CheckpointId>{7});
  CHECK(f.storage.read(FileCheckpointStorage::metadata_name("job", 7)).value() == bytes_of("metadata of 7"));
  CHECK(f.storage.read_checkpoint("job", 8).status().code() == StatusCode::kNotFound);
}

TEST_CASE("file storage: the reader refuses half-written and damaged checkpoints with kCorruption",
          "[unit][file-storage]") {
  Fixture f;
  write_checkpoint(f.storage, 1);
  write_checkpoint(f.storage, 2);
  write_checkpoint(f.storage, 3);
  write_checkpoint(f.storage, 4);
  const std::string dir = f.root() + "/job/chk-";

  SECTION("no _metadata") {
    REQUIRE(f.fs.remove_file(dir + "4/_metadata").is_ok());
    CHECK_THAT(f.storage.read_checkpoint("job", 4).status().message(), Catch::Contains("no _metadata"));
    CHECK(restore_code(f.storage, 4) == StatusCode::kCorruption);
    CHECK(f.storage.list_completed("job").value() == std::vector<CheckpointId>{1, 2, 3});
  }
  SECTION("a state file named by the manifest is missing") {
    REQUIRE(f.fs.remove_file(dir + "4/op-1-a0").is_ok());
    CHECK(restore_code(f.storage, 4) == StatusCode::kCorruption);
    CHECK(f.storage.read(FileCheckpointStorage::metadata_name("job", 4)).status().code() == StatusCode::kCorruption);
  }
  SECTION("a leftover temporary file") {
    REQUIRE(f.fs.new_writable_file(dir + "4/op-2-a0.0.ckpt-tmp").is_ok());
    CHECK_THAT(f.storage.read_checkpoint("job", 4).status().message(), Catch::Contains("leftover temporary file"));
    CHECK(f.storage.commit_checkpoint("job", 4, bytes_of("again")).code() == StatusCode::kCorruption);
  }
  SECTION("a state file replaced by another intact file") {
    REQUIRE(f.fs.rename(dir + "3/op-0-a0", dir + "4/op-0-a0").is_ok());
    CHECK_THAT(f.storage.read_checkpoint("job", 4).status().message(), Catch::Contains("not the file the manifest"));
  }
  SECTION("_metadata of another checkpoint") {
    REQUIRE(f.fs.rename(dir + "3/_metadata", dir + "4/_metadata").is_ok());
    CHECK(restore_code(f.storage, 4) == StatusCode::kCorruption);
    CHECK(f.storage.list_completed("job").value() == std::vector<CheckpointId>{1, 2});
  }
  // In every case the newest intact checkpoint is found instead.
  std::vector<std::string> skipped;
  Result<RestoredCheckpoint> latest = f.storage.latest_restorable("job", &skipped);
  REQUIRE(latest.is_ok());
  CHECK(latest.value().id < 4);
  CHECK(skipped.size() <= 2);
}

TEST_CASE("file storage: files outside the manifest are not part of the checkpoint", "[unit][file-storage]") {
  Fixture f;
  write_checkpoint(f.storage, 1);
  REQUIRE(f.storage.write("job/chk-1/late-arrival", bytes_of("late")).is_ok());
  Result<RestoredCheckpoint> restored = f.storage.read_checkpoint("job", 1);
  REQUIRE(restored.is_ok());
  CHECK(restored.value().state_files.count("late-arrival") == 0);
}

TEST_CASE("file storage: retention keeps the newest n and removes older ones and stale incomplete ones",
          "[unit][file-storage]") {
  Fixture f;
  REQUIRE(f.storage.write("job/chk-1/op-0-a0", bytes_of("never completed")).is_ok());
  write_checkpoint(f.storage, 2);
  write_checkpoint(f.storage, 3);
  write_checkpoint(f.storage, 4);
  REQUIRE(f.storage.write("job/chk-5/op-0-a0", bytes_of("in progress")).is_ok());

  Result<RetentionReport> report = f.storage.retain("job", 2);
  REQUIRE(report.is_ok());
  CHECK(report.value().retained == std::vector<CheckpointId>{3, 4});
  CHECK(report.value().removed_completed == std::vector<CheckpointId>{2});
  CHECK(report.value().removed_incomplete == std::vector<CheckpointId>{1});
  CHECK_FALSE(f.fs.exists(f.root() + "/job/chk-2").value());
  CHECK(f.fs.exists(f.root() + "/job/chk-5/op-0-a0").value());  // newer: may still be written

  Result<RetentionReport> again = f.storage.retain("job", 2);
  REQUIRE(again.is_ok());
  CHECK(again.value().removed_completed.empty());
  CHECK(again.value().removed_incomplete.empty());
  CHECK(f.storage.remove_checkpoint("job", 2).is_ok());  // already gone: idempotent
  REQUIRE(f.storage.remove_checkpoint("job", 3).is_ok());
  CHECK(f.storage.list_completed("job").value() == std::vector<CheckpointId>{4});
}

TEST_CASE("file storage: retention removes nothing before any checkpoint completed", "[unit][file-storage]") {
  Fixture f;
  REQUIRE(f.storage.write("job/chk-1/op-0-a0", bytes_of("being written")).is_ok());
  Result<RetentionReport> report = f.storage.retain("job", 1);
  REQUIRE(report.is_ok());
  CHECK(report.value().retained.empty());
  CHECK(f.fs.exists(f.root() + "/job/chk-1/op-0-a0").value());
  CHECK(f.storage.latest_restorable("job").status().code() == StatusCode::kNotFound);
}

TEST_CASE("file blob store: completions run through the executor, never inside the call", "[unit][file-storage]") {
  Fixture f;
  QueuedExecutor loop;
  FileBlobStore store(f.storage, loop.executor());
  std::optional<Status> put;
  store.put("job/chk-1/op-0-a0", patterned_bytes(777, 1), [&](Status s) { put = s; });
  CHECK_FALSE(put.has_value());
  CHECK(loop.run_pending() == 1);
  REQUIRE(put.has_value());
  CHECK(put->is_ok());

  std::optional<Result<Bytes>> got;
  store.get("job/chk-1/op-0-a0", [&](Result<Bytes> r) { got.emplace(std::move(r)); });
  CHECK_FALSE(got.has_value());
  loop.run_pending();
  REQUIRE(got.has_value());
  REQUIRE(got->is_ok());
  CHECK(got->value() == patterned_bytes(777, 1));
}

TEST_CASE("file blob store: the BlobStore contract on real files", "[unit][file-storage]") {
  Fixture f;
  FileBlobStore store(f.storage, [](std::function<void()> completion) { completion(); });
  const auto get = [&](const std::string& name) {
    std::optional<Result<Bytes>> result;
    store.get(name, [&](Result<Bytes> r) { result.emplace(std::move(r)); });
    REQUIRE(result.has_value());
    return std::move(*result);
  };
  const auto put = [&](const std::string& name, Bytes bytes) {
    std::optional<Status> status;
    store.put(name, std::move(bytes), [&](Status s) { status = s; });
    REQUIRE(status.has_value());
    return *status;
  };
  REQUIRE(put("job/chk-2/b", patterned_bytes(10, 2)).is_ok());
  REQUIRE(put("job/chk-2/a", Bytes{}).is_ok());
  REQUIRE(put("job/chk-10/a", bytes_of("x")).is_ok());
  CHECK(get("job/chk-2/b").value() == patterned_bytes(10, 2));
  CHECK(get("job/chk-2/a").value().empty());
  CHECK(get("job/chk-3/a").status().code() == StatusCode::kNotFound);
  CHECK(store.list("job/chk-") == std::vector<std::string>{"job/chk-10/a", "job/chk-2/a", "job/chk-2/b"});

  sim::FaultInjectingFileSystem faulty(f.fs, sim::Rng(1));
  REQUIRE(faulty.flip_bit(f.root() + "/job/chk-2/b", 8 * 20 + 3).is_ok());
  CHECK(get("job/chk-2/b").status().code() == StatusCode::kCorruption);

  std::optional<Status> removed;
  store.remove("job/chk-2/b", [&](Status s) { removed = s; });
  CHECK(removed.has_value());
  CHECK(get("job/chk-2/b").status().code() == StatusCode::kNotFound);
  store.remove("job/chk-2/b", nullptr);  // idempotent, no completion wanted
}

TEST_CASE("file blob store: a failed put leaves nothing visible under its name", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  sim::FaultInjectingFileSystem faulty(posix, sim::Rng(2));
  FileCheckpointStorage storage(faulty, scratch / "root");
  FileBlobStore store(storage, [](std::function<void()> completion) { completion(); });
  for (const sim::FileOperation operation : {sim::FileOperation::kAppend, sim::FileOperation::kSync,
                                             sim::FileOperation::kRename, sim::FileOperation::kSyncDir}) {
    INFO(sim::file_operation_name(operation));
    REQUIRE(storage.write("job/warm-up", bytes_of("creates the directories")).is_ok());
    faulty.fail_next(operation);
    std::optional<Status> status;
    store.put("job/chk-1/a", bytes_of("payload"), [&](Status s) { status = s; });
    REQUIRE(status.has_value());
    CHECK(status->code() == StatusCode::kIoError);
    CHECK(store.list("job/chk-1/").empty());
    CHECK(files_below(scratch / "root") == std::vector<std::string>{"job/warm-up"});
  }
}

TEST_CASE("file blob store: the protocol's checkpoint store recovers through it and refuses a damaged latest checkpoint",
          "[unit][file-storage]") {
  Fixture f;
  QueuedExecutor loop;
  FileBlobStore blobs(f.storage, loop.executor());
  CompletedCheckpointStore writer(blobs, "job", 3);
  for (CheckpointId id = 1; id <= 3; ++id) {
    const std::string state = "job/chk-" + std::to_string(id) + "/op-0-a0";
    blobs.put(state, patterned_bytes(64, static_cast<std::uint8_t>(id)), [](Status s) { REQUIRE(s.is_ok()); });
    CompletedCheckpoint checkpoint;
    checkpoint.id = id;
    checkpoint.states[0].blob_names = {state};
    writer.persist_metadata(checkpoint, [](Status s) { REQUIRE(s.is_ok()); });
    loop.run_pending();
    (void)writer.add(checkpoint);
  }
  // Bit rot in checkpoint 3's state: its metadata still verifies, its state does not.
  sim::FaultInjectingFileSystem faulty(f.fs, sim::Rng(3));
  REQUIRE(faulty.flip_bit(f.root() + "/job/chk-3/op-0-a0", 200).is_ok());

  CompletedCheckpointStore recovered(blobs, "job", 3);
  std::optional<Result<StoreRecovery>> result;
  recovered.recover([&](Result<StoreRecovery> r) { result.emplace(std::move(r)); });
  loop.run_pending();
  REQUIRE(result.has_value());
  // Restoring chk-2 instead would replay output committed with chk-3: refuse, loudly.
  REQUIRE_FALSE(result->is_ok());
  CHECK(result->status().code() == StatusCode::kCorruption);
  CHECK_THAT(result->status().message(), Catch::Contains("chk-3"));
  CHECK(recovered.latest() == nullptr);

  // Before the damage the same store recovered every checkpoint.
  REQUIRE(faulty.flip_bit(f.root() + "/job/chk-3/op-0-a0", 200).is_ok());  // flip it back
  CompletedCheckpointStore again(blobs, "job", 3);
  std::optional<Result<StoreRecovery>> clean;
  again.recover([&](Result<StoreRecovery> r) { clean.emplace(std::move(r)); });
  loop.run_pending();
  REQUIRE(clean.has_value());
  REQUIRE(clean->is_ok());
  REQUIRE(again.latest() != nullptr);
  CHECK(again.latest()->id == 3);
}
