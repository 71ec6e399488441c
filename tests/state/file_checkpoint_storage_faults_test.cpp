// FileCheckpointStorage against two faults the real-file fault catalogue exposed
// (docs/fault-catalogue.md, "Findings"): a torn append the device reported as complete,
// and a failed directory fsync after rewriting an existing blob.
#include <catch2/catch.hpp>

#include <string>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

TEST_CASE("file storage: with staged files verified, a torn append reported as complete fails the write instead of publishing a bad file",
          "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(3));
  FileCheckpointStorageOptions verified;  // as the simulator opens storage over a lying device
  verified.verify_staged_files = true;
  FileCheckpointStorage storage(fs, scratch / "checkpoints", verified);
  REQUIRE(storage.write("job/chk-1/a", patterned_bytes(10, 1)).is_ok());  // creates the directories
  fs.tear_next_append(5);  // the header append keeps 5 bytes and reports ok
  const Status status = storage.write("job/chk-2/a", patterned_bytes(100, 2));
  CHECK(status.code() == StatusCode::kCorruption);
  CHECK(fs.counters().torn_appends == 1);
  // Never acknowledged, never visible: a checkpoint is not completed over a file no
  // reader accepts.
  CHECK(storage.read("job/chk-2/a").status().code() == StatusCode::kNotFound);
  CHECK(storage.write("job/chk-2/a", patterned_bytes(100, 2)).is_ok());
  CHECK(storage.read("job/chk-2/a").value() == patterned_bytes(100, 2));
}

TEST_CASE("file storage: a failed directory fsync after rewriting a blob keeps a value under its name",
          "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(5));
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  REQUIRE(storage.write("job/jm-epoch", patterned_bytes(8, 1)).is_ok());
  fs.fail_next(FileOperation::kSyncDir);
  CHECK_FALSE(storage.write("job/jm-epoch", patterned_bytes(8, 2)).is_ok());
  // Before the fix the new file was removed, taking the durable old value with it: a
  // restarted JobManager then read "no epoch".
  const Result<Bytes> read = storage.read("job/jm-epoch");
  REQUIRE(read.is_ok());
  CHECK((read.value() == patterned_bytes(8, 1) || read.value() == patterned_bytes(8, 2)));
  // A failed first write of a name still leaves nothing behind.
  fs.fail_next(FileOperation::kSyncDir);
  CHECK_FALSE(storage.write("job/other", patterned_bytes(8, 3)).is_ok());
  CHECK(storage.read("job/other").status().code() == StatusCode::kNotFound);
}

TEST_CASE("file storage: a directory whose creation was not made durable is synced by the next write into it",
          "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(9));
  FileCheckpointStorage storage(fs, scratch / "checkpoints");
  REQUIRE(storage.write("job/jm-epoch", patterned_bytes(8, 1)).is_ok());
  // chk-1/ is created, but the fsync of job/ that makes its name durable fails.
  fs.fail_next(FileOperation::kSyncDir);
  CHECK_FALSE(storage.write("job/chk-1/a", patterned_bytes(20, 1)).is_ok());
  // The next write into chk-1/ is acknowledged: it must survive a power loss. Before
  // the fix the directory already existed, so its parent was never synced, and the
  // power loss took chk-1/ with the acknowledged file in it.
  REQUIRE(storage.write("job/chk-1/b", patterned_bytes(20, 2)).is_ok());
  REQUIRE(fs.power_loss().is_ok());
  const Result<Bytes> read = storage.read("job/chk-1/b");
  REQUIRE(read.is_ok());
  CHECK(read.value() == patterned_bytes(20, 2));
}
