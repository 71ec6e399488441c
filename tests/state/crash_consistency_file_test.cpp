// Crash consistency of the filesystem checkpoint storage: a power loss after ANY file
// system operation of a checkpoint sequence, then recovery, finds exactly the latest
// checkpoint that completed before the crash (or none) and never a partial one; and
// damage to any bit of any stored file is detected.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

namespace {

const std::string kJob = "job";
// Durability is what the tracker models; real fsyncs would only slow the enumeration.
constexpr FaultInjectingFileSystemOptions kModelledSyncs{false};

// The shape of the workload: checkpoints first_id..last_id, each with state_files files
// of growing sizes, retaining num_retained after each commit.
struct Workload {
  CheckpointId first_id = 1;
  CheckpointId last_id = 3;
  std::size_t state_files = 2;
  std::size_t state_bytes = 100;
  std::size_t num_retained = 1;
};

std::string state_file(std::size_t index) { return "op-" + std::to_string(index) + "-a0"; }
Bytes state_payload(const Workload& w, CheckpointId id, std::size_t index) {
  return patterned_bytes(w.state_bytes + 37 * index, static_cast<std::uint8_t>(id * 16 + index));
}
Bytes metadata_payload(CheckpointId id) { return bytes_of("checkpoint " + std::to_string(id)); }

// Runs the checkpoint sequence until the first failure. Returns the id of the last
// checkpoint whose commit returned ok: the last one a coordinator would report completed.
CheckpointId run_workload(FileCheckpointStorage& storage, const Workload& w) {
  CheckpointId completed = kNoCheckpointId;
  for (CheckpointId id = w.first_id; id <= w.last_id; ++id) {
    for (std::size_t i = 0; i < w.state_files; ++i) {
      if (!storage.write_state_file(kJob, id, state_file(i), state_payload(w, id, i)).is_ok()) return completed;
    }
    if (!storage.commit_checkpoint(kJob, id, metadata_payload(id)).is_ok()) return completed;
    completed = id;
    if (!storage.retain(kJob, w.num_retained).is_ok()) return completed;
  }
  return completed;
}

std::uint64_t count_operations(const Workload& w) {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(0), kModelledSyncs);
  FileCheckpointStorage storage(fs, scratch / "root");
  CKPT_ASSERT(run_workload(storage, w) == w.last_id, "the fault-free workload completes every checkpoint");
  return fs.operation_count();
}

// Checks what a recovering reader sees. Returns a description of the first problem, or "".
std::string check_recovery(FileCheckpointStorage& recovered, const Workload& w, CheckpointId completed) {
  std::vector<std::string> skipped;
  Result<RestoredCheckpoint> latest = recovered.latest_restorable(kJob, &skipped);
  if (!skipped.empty()) return "a listed checkpoint failed to read: " + skipped.front();
  if (completed == kNoCheckpointId) {
    return !latest.is_ok() && latest.status().code() == StatusCode::kNotFound ? "" : "restored a checkpoint, none completed";
  }
  if (!latest.is_ok()) return "nothing restored: " + latest.status().to_string();
  const RestoredCheckpoint& restored = latest.value();
  if (restored.id != completed) {
    return "restored checkpoint " + std::to_string(restored.id) + ", latest completed is " + std::to_string(completed);
  }
  if (restored.metadata != metadata_payload(completed)) return "metadata differs";
  if (restored.state_files.size() != w.state_files) return "wrong number of state files";
  for (std::size_t i = 0; i < w.state_files; ++i) {
    const auto it = restored.state_files.find(state_file(i));
    if (it == restored.state_files.end() || it->second != state_payload(w, completed, i)) return "state differs";
  }
  // Every checkpoint that still lists as completed reads back intact (checked above via
  // skipped) and none is newer than the latest completed one.
  const Result<std::vector<CheckpointId>> listed = recovered.list_completed(kJob);
  if (!listed.is_ok()) return "listing failed: " + listed.status().to_string();
  for (const CheckpointId id : listed.value()) {
    if (id > completed) return "checkpoint " + std::to_string(id) + " lists as completed but never completed";
  }
  return "";
}

struct CrashOutcome {
  CheckpointId completed = kNoCheckpointId;
  std::string problem;
};

// Crashes after operation k, drops what was not durable, recovers on a fresh storage
// object, then lets a restarted job take one more checkpoint and recovers again.
CrashOutcome crash_and_recover(const Workload& w, std::uint64_t k, PowerLossOptions power_loss, std::uint64_t seed) {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(seed), kModelledSyncs);
  CrashOutcome outcome;
  {
    FileCheckpointStorage storage(fs, scratch / "root");
    fs.freeze_after(k);
    outcome.completed = run_workload(storage, w);
  }
  if (Status s = fs.power_loss(power_loss); !s.is_ok()) return {outcome.completed, "power loss: " + s.to_string()};
  // A fresh storage object, as after a restart (the file system is unfrozen now).
  FileCheckpointStorage recovered(fs, scratch / "root");
  outcome.problem = check_recovery(recovered, w, outcome.completed);
  if (!outcome.problem.empty()) return outcome;

  // The restarted job carries on with a higher id; leftovers of the crash must not get
  // in its way, and retention must clear them.
  Workload next = w;
  next.first_id = next.last_id = w.last_id + 1;
  if (run_workload(recovered, next) != next.last_id) return {outcome.completed, "the restarted job cannot checkpoint"};
  outcome.problem = check_recovery(recovered, next, next.last_id);
  if (outcome.problem.empty() && w.num_retained == 1) {
    Result<std::vector<DirEntry>> left = posix.list_dir(scratch / "root/job", 64);
    if (!left.is_ok() || left.value().size() != 1) outcome.problem = "retention left crash debris behind";
  }
  return outcome;
}

}  // namespace

TEST_CASE("crash consistency: a power loss after every single file operation recovers the latest completed "
          "checkpoint",
          "[unit][file-storage]") {
  const Workload w;
  const std::uint64_t n = count_operations(w);
  // 3 checkpoints x (2 state files + _metadata) x 8 operations each, directories, and
  // the retention removals: every one of them is a crash point.
  CHECK(n > 3 * 3 * 8);
  for (const bool torn_tails : {false, true}) {
    std::vector<CheckpointId> completed_at;
    for (std::uint64_t k = 0; k <= n; ++k) {
      INFO("crash after operation " << k << " of " << n << (torn_tails ? ", torn tails" : ""));
      const CrashOutcome outcome = crash_and_recover(w, k, PowerLossOptions{torn_tails}, k);
      CHECK(outcome.problem == "");
      completed_at.push_back(outcome.completed);
    }
    // The enumeration covered crashes before the first completion, between every pair
    // of completions, and after the last.
    CHECK(completed_at.front() == kNoCheckpointId);
    CHECK(completed_at.back() == w.last_id);
    CHECK(std::is_sorted(completed_at.begin(), completed_at.end()));
    for (CheckpointId id = 0; id <= w.last_id; ++id) {
      CHECK(std::count(completed_at.begin(), completed_at.end(), id) > 0);
    }
  }
}

TEST_CASE("crash consistency: with three retained checkpoints every crash point still recovers the latest",
          "[unit][file-storage]") {
  Workload w;
  w.last_id = 4;
  w.state_files = 3;
  w.num_retained = 3;
  const std::uint64_t n = count_operations(w);
  for (std::uint64_t k = 0; k <= n; ++k) {
    INFO("crash after operation " << k << " of " << n);
    const CrashOutcome outcome = crash_and_recover(w, k, PowerLossOptions{}, k);
    CHECK(outcome.problem == "");
  }
}

TEST_CASE("crash consistency: random checkpoint shapes and crash points", "[property][file-storage]") {
  rc::prop("latest completed, never partial", [] {
    Workload w;
    w.last_id = *rc::gen::inRange<CheckpointId>(1, 4);
    w.state_files = *rc::gen::inRange<std::size_t>(0, 4);
    w.state_bytes = *rc::gen::inRange<std::size_t>(0, 3000);
    w.num_retained = *rc::gen::inRange<std::size_t>(1, 3);
    const std::uint64_t n = count_operations(w);
    const std::uint64_t k = *rc::gen::inRange<std::uint64_t>(0, n + 1);
    const bool torn_tails = *rc::gen::arbitrary<bool>();
    const CrashOutcome outcome = crash_and_recover(w, k, PowerLossOptions{torn_tails}, k * 31 + 7);
    RC_ASSERT(outcome.problem == "");
  });
}

TEST_CASE("crash consistency: a bit flip in any byte of any file of a checkpoint is detected", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs(posix, Rng(5));
  FileCheckpointStorage storage(fs, scratch / "root");
  Workload w;
  w.last_id = 2;
  w.num_retained = 2;
  w.state_bytes = 20;
  REQUIRE(run_workload(storage, w) == 2);
  const std::string dir = scratch / "root/job/chk-2";
  std::uint64_t flips = 0;
  for (const std::string& file : std::vector<std::string>{"_metadata", state_file(0), state_file(1)}) {
    const std::string path = dir + "/" + file;
    const std::uint64_t bits = posix.file_size(path).value() * 8;
    // One bit per byte, rotating through the bit positions (every single-bit flip is
    // covered by the format's property test).
    for (std::uint64_t byte = 0; byte < bits / 8; ++byte) {
      const std::uint64_t bit = byte * 8 + byte % 8;
      REQUIRE(fs.flip_bit(path, bit).is_ok());
      Result<RestoredCheckpoint> damaged = storage.read_checkpoint(kJob, 2);
      const bool refused = !damaged.is_ok() && damaged.status().code() == StatusCode::kCorruption;
      if (!refused) FAIL_CHECK("flip of bit " << bit << " of " << file << " went unnoticed");
      Result<Bytes> through_blob_name = storage.read(kJob + "/chk-2/" + file);
      if (through_blob_name.is_ok()) FAIL_CHECK("blob read of " << file << " with bit " << bit << " flipped succeeded");
      Result<RestoredCheckpoint> fallback = storage.latest_restorable(kJob);
      REQUIRE(fallback.is_ok());
      CHECK(fallback.value().id == 1);
      if (file == "_metadata") CHECK(storage.list_completed(kJob).value() == std::vector<CheckpointId>{1});
      REQUIRE(fs.flip_bit(path, bit).is_ok());  // flip it back
      ++flips;
    }
  }
  CHECK(flips > 2 * (20 + kStoredFileFrameBytes));
  CHECK(storage.read_checkpoint(kJob, 2).is_ok());  // restored to intact
}
