#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "protocol/checkpoint/completed_checkpoint_store.h"
#include "protocol/io/posix_file_system.h"
#include "sim/simulation.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "sim/storage/sim_file_blob_store.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::files_below;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

namespace {

SimulationOptions options_with_seed(std::uint64_t seed) {
  SimulationOptions options;
  options.seed = seed;
  return options;
}

// One simulated world with file-backed checkpoint storage on a fault-injecting file
// system (syncs modelled only, for speed).
struct World {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs{posix, Rng(1), FaultInjectingFileSystemOptions{false}};
  FileCheckpointStorage files{fs, scratch / "run"};
  Simulation sim{options_with_seed(1)};
  ProcessId tm = sim.add_process("tm-0");
  ProcessId jm = sim.add_process("jm");
  SimFileBlobStorage storage{sim, files};
};

struct Outcome {
  std::optional<Status> status;
  std::optional<Result<Bytes>> result;
  TimeNs time_ns = -1;
};

std::function<void(Status)> capture(Simulation& sim, Outcome& outcome) {
  return [&sim, &outcome](Status status) {
    outcome.status = std::move(status);
    outcome.time_ns = sim.now_ns();
  };
}

std::function<void(Result<Bytes>)> capture_result(Simulation& sim, Outcome& outcome) {
  return [&sim, &outcome](Result<Bytes> result) {
    outcome.result.emplace(std::move(result));
    outcome.time_ns = sim.now_ns();
  };
}

}  // namespace

TEST_CASE("sim file storage: a put becomes visible at its modelled completion, with its bytes on disk",
          "[unit][file-storage]") {
  World w;
  BlobStore& store = w.storage.view_for(w.tm);
  Outcome put;
  store.put("job/chk-1/op-0-a0", patterned_bytes(1'000'000 - kStoredFileFrameBytes, 1), capture(w.sim, put));
  CHECK(w.storage.put_duration_ns(1'000'000 - kStoredFileFrameBytes) == 10 * kMillisecond);  // 5 ms + 1 MB at 200 MB/s
  CHECK(store.list("job/").empty());  // staged, not visible
  w.sim.run_until(10 * kMillisecond - 1);
  CHECK_FALSE(put.status.has_value());
  w.sim.run_until_idle();
  REQUIRE(put.status.has_value());
  CHECK(put.status->is_ok());
  CHECK(put.time_ns == 10 * kMillisecond);
  CHECK(store.list("job/") == std::vector<std::string>{"job/chk-1/op-0-a0"});
  CHECK(files_below(w.scratch / "run") == std::vector<std::string>{"job/chk-1/op-0-a0"});

  Outcome get;
  w.storage.view_for(w.jm).get("job/chk-1/op-0-a0", capture_result(w.sim, get));
  w.sim.run_until_idle();
  REQUIRE(get.result.has_value());
  REQUIRE(get.result->is_ok());
  CHECK(get.result->value() == patterned_bytes(1'000'000 - kStoredFileFrameBytes, 1));
  CHECK(get.time_ns == 10 * kMillisecond + w.storage.get_duration_ns(1'000'000 - kStoredFileFrameBytes));
  CHECK(w.storage.counters().puts_committed == 1);
  CHECK(w.storage.operations_in_flight() == 0);
}

TEST_CASE("sim file storage: a caller crash before completion loses the upload and its temporary file",
          "[unit][file-storage]") {
  World w;
  bool done_ran = false;
  w.storage.view_for(w.tm).put("job/chk-1/op-0-a0", bytes_of("state"), [&](Status) { done_ran = true; });
  w.sim.schedule_global_after(1 * kMillisecond, [&] { w.sim.crash(w.tm); });
  w.sim.schedule_global_after(2 * kMillisecond, [&] { w.sim.restart(w.tm); });
  w.sim.run_until_idle();
  CHECK_FALSE(done_ran);
  CHECK(w.storage.view_for(w.jm).list("").empty());
  CHECK(files_below(w.scratch / "run").size() == 1);  // the staged temporary, invisible

  Outcome other;
  w.storage.view_for(w.jm).put("job/jm-epoch", bytes_of("1"), capture(w.sim, other));  // sweeps the lost upload
  w.sim.run_until_idle();
  CHECK(w.storage.counters().puts_lost == 1);
  CHECK(files_below(w.scratch / "run") == std::vector<std::string>{"job/jm-epoch"});
}

TEST_CASE("sim file storage: gets report kNotFound and kCorruption, removes apply at completion",
          "[unit][file-storage]") {
  World w;
  BlobStore& store = w.storage.view_for(w.tm);
  Outcome put;
  store.put("job/chk-1/a", bytes_of("abcdef"), capture(w.sim, put));
  w.sim.run_until_idle();
  REQUIRE(put.status->is_ok());

  Outcome missing;
  store.get("job/chk-1/none", capture_result(w.sim, missing));
  REQUIRE(w.fs.flip_bit(w.scratch / "run/job/chk-1/a", 8 * 18).is_ok());
  Outcome corrupt;
  store.get("job/chk-1/a", capture_result(w.sim, corrupt));
  w.sim.run_until_idle();
  CHECK(missing.result->status().code() == StatusCode::kNotFound);
  CHECK(corrupt.result->status().code() == StatusCode::kCorruption);

  Outcome removed;
  const TimeNs issued_ns = w.sim.now_ns();
  store.remove("job/chk-1/a", capture(w.sim, removed));
  CHECK(store.list("job/").size() == 1);  // not yet
  w.sim.run_until_idle();
  CHECK(removed.status->is_ok());
  CHECK(removed.time_ns == issued_ns + w.storage.model().latency_ns);
  CHECK(store.list("job/").empty());
  CHECK(files_below(w.scratch / "run").empty());  // the emptied chk-1 directory went too
}

TEST_CASE("sim file storage: a removal lost with its caller leaves the blob", "[unit][file-storage]") {
  World w;
  Outcome put;
  w.storage.view_for(w.tm).put("job/x", bytes_of("x"), capture(w.sim, put));
  w.sim.run_until_idle();
  w.storage.view_for(w.tm).remove("job/x", [](Status) { FAIL("a crashed caller's completion ran"); });
  w.sim.crash(w.tm);
  w.sim.run_until_idle();
  CHECK(w.storage.view_for(w.jm).list("job/") == std::vector<std::string>{"job/x"});
}

TEST_CASE("sim file storage: a power loss during an upload fails the put and leaves nothing visible",
          "[unit][file-storage]") {
  World w;
  Outcome committed;
  w.storage.view_for(w.tm).put("job/chk-1/a", bytes_of("durable"), capture(w.sim, committed));
  w.sim.run_until_idle();
  Outcome in_flight;
  w.storage.view_for(w.tm).put("job/chk-1/b", bytes_of("in flight"), capture(w.sim, in_flight));
  REQUIRE(w.fs.power_loss().is_ok());
  w.sim.run_until_idle();
  REQUIRE(in_flight.status.has_value());
  INFO(in_flight.status->to_string());
  CHECK(in_flight.status->code() == StatusCode::kIoError);
  CHECK(w.storage.view_for(w.jm).list("job/") == std::vector<std::string>{"job/chk-1/a"});
  CHECK(w.files.read("job/chk-1/a").value() == bytes_of("durable"));
}

TEST_CASE("sim file storage: same operations, same event log and same files", "[unit][file-storage]") {
  const auto run = [] {
    World w;
    for (int i = 0; i < 5; ++i) {
      const ProcessId caller = i % 2 == 0 ? w.tm : w.jm;
      w.storage.view_for(caller).put("job/chk-" + std::to_string(i + 1) + "/s", patterned_bytes(1000 * i, 1),
                                     [](Status s) { CHECK(s.is_ok()); });
    }
    w.sim.run_until(5 * kMillisecond + 12 * kMicrosecond);  // uploads 0..3 done, 4 (tm's) not
    w.sim.crash(w.tm);
    w.sim.run_until_idle();
    w.storage.abandon_lost_operations();
    return std::make_pair(w.sim.fingerprint(), files_below(w.scratch / "run"));
  };
  const auto first = run();
  CHECK(first == run());
  CHECK(first.second == std::vector<std::string>{"job/chk-1/s", "job/chk-2/s", "job/chk-3/s", "job/chk-4/s"});
}

TEST_CASE("sim file storage: a JobManager crash while writing _metadata leaves the checkpoint uncompleted",
          "[unit][file-storage]") {
  World w;
  BlobStore& jm_store = w.storage.view_for(w.jm);
  for (CheckpointId id = 1; id <= 2; ++id) {
    const std::string state = "job/chk-" + std::to_string(id) + "/op-0-a0";
    w.storage.view_for(w.tm).put(state, patterned_bytes(100, 1), [](Status s) { REQUIRE(s.is_ok()); });
    w.sim.run_until_idle();
    CompletedCheckpointStore store(jm_store, "job", 1);
    CompletedCheckpoint checkpoint;
    checkpoint.id = id;
    checkpoint.states[0].blob_names = {state};
    store.persist_metadata(checkpoint, [](Status s) { REQUIRE(s.is_ok()); });
    if (id == 2) w.sim.crash(w.jm);  // before the metadata upload completes
    w.sim.run_until_idle();
  }
  w.sim.restart(w.jm);
  CompletedCheckpointStore recovered(w.storage.view_for(w.jm), "job", 1);
  std::optional<Result<StoreRecovery>> result;
  recovered.recover([&](Result<StoreRecovery> r) { result.emplace(std::move(r)); });
  w.sim.run_until_idle();
  REQUIRE(result.has_value());
  REQUIRE(result->is_ok());
  REQUIRE(recovered.latest() != nullptr);
  CHECK(recovered.latest()->id == 1);
  CHECK(w.files.latest_restorable("job").value().id == 1);
}
