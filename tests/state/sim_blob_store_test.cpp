#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/simulation.h"
#include "sim/storage/sim_blob_store.h"

using namespace ckptsim;
using namespace ckptsim::sim;

namespace {

SimulationOptions options_with_seed(std::uint64_t seed) {
  SimulationOptions options;
  options.seed = seed;
  return options;
}

Bytes bytes_of_size(std::size_t size, std::uint8_t fill = 0x5A) { return Bytes(size, fill); }

// Records the outcome of an operation and when it arrived.
struct Outcome {
  std::optional<Status> status;
  std::optional<Result<Bytes>> result;
  TimeNs time_ns = -1;
};

std::function<void(Status)> capture_status(Simulation& sim, Outcome& outcome) {
  return [&sim, &outcome](Status status) {
    outcome.status = std::move(status);
    outcome.time_ns = sim.now_ns();
  };
}

std::function<void(Result<Bytes>)> capture_result(Simulation& sim, Outcome& outcome) {
  return [&sim, &outcome](Result<Bytes> result) {
    outcome.result = std::move(result);
    outcome.time_ns = sim.now_ns();
  };
}

class FlipFirstByteOnGet final : public BlobStorageFaults {
 public:
  void on_get(const std::string& /*name*/, Bytes& bytes, std::uint64_t /*modelled_size_bytes*/) override {
    if (!bytes.empty()) bytes[0] ^= 0x01;
  }
};

class RejectPuts final : public BlobStorageFaults {
 public:
  Status on_put(const std::string& name, std::size_t /*bytes*/) override {
    return Status::io_error("injected: write of " + name + " failed");
  }
};

class SlowPuts final : public BlobStorageFaults {
 public:
  DurationNs extra_put_delay_ns(const std::string& /*name*/) override { return 3 * kMillisecond; }
};

}  // namespace

TEST_CASE("blob storage: put then get take exactly the modelled durations", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId writer = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});  // 5 ms, 200 MB/s write, 400 MB/s read
  BlobStore& store = storage.view_for(writer);

  Outcome put;
  store.put("job/chk-1/state", bytes_of_size(1'000'000), capture_status(sim, put));
  CHECK(storage.put_duration_ns(1'000'000) == 10 * kMillisecond);  // 5 ms + 1 MB at 200 MB/s
  sim.run_until(10 * kMillisecond - 1);
  CHECK_FALSE(put.status.has_value());
  CHECK_FALSE(storage.contains("job/chk-1/state"));  // not visible before completion
  sim.run_until_idle();
  REQUIRE(put.status.has_value());
  CHECK(put.status->is_ok());
  CHECK(put.time_ns == 10 * kMillisecond);
  CHECK(storage.total_bytes_stored() == 1'000'000);

  Outcome get;
  store.get("job/chk-1/state", capture_result(sim, get));
  sim.run_until_idle();
  REQUIRE(get.result.has_value());
  REQUIRE(get.result->is_ok());
  CHECK(get.result->value() == bytes_of_size(1'000'000));
  CHECK(get.time_ns == 10 * kMillisecond + 7'500 * kMicrosecond);  // 5 ms + 1 MB at 400 MB/s
  CHECK(storage.counters().puts == 1);
  CHECK(storage.counters().gets == 1);
  CHECK(storage.counters().bytes_written == 1'000'000);
  CHECK(storage.operations_in_flight() == 0);
}

TEST_CASE("blob storage: transfer times round up to the next nanosecond", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  SimBlobStorage storage(sim, BlobStorageModel{0, 3, 7, 0});
  CHECK(storage.put_duration_ns(1) == 333'333'334);  // ceil(1e9 / 3)
  CHECK(storage.get_duration_ns(0) == 0);
  CHECK(storage.get_duration_ns(7) == kSecond);
}

TEST_CASE("blob storage: a caller crash before put completion loses the upload", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId writer = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  bool done_ran = false;
  storage.view_for(writer).put("job/chk-1/a", bytes_of_size(1000), [&](Status) { done_ran = true; });
  sim.schedule_global_after(1 * kMillisecond, [&] { sim.crash(writer); });
  sim.run_until_idle();
  CHECK_FALSE(done_ran);
  CHECK_FALSE(storage.contains("job/chk-1/a"));
  CHECK(storage.list("").empty());
  CHECK(storage.counters().puts_lost == 1);
  CHECK(storage.total_bytes_stored() == 0);
}

TEST_CASE("blob storage: a crash and restart before completion also loses the upload", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId writer = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  bool done_ran = false;
  storage.view_for(writer).put("job/chk-1/a", bytes_of_size(1000), [&](Status) { done_ran = true; });
  sim.schedule_global_after(1 * kMillisecond, [&] { sim.crash(writer); });
  sim.schedule_global_after(2 * kMillisecond, [&] { sim.restart(writer); });
  sim.run_until_idle();
  CHECK_FALSE(done_ran);
  CHECK_FALSE(storage.contains("job/chk-1/a"));
}

TEST_CASE("blob storage: another process reads a blob after its writer crashed", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId writer = sim.add_process("tm-0");
  const ProcessId reader = sim.add_process("jm");
  SimBlobStorage storage(sim, BlobStorageModel{});
  Outcome put;
  storage.view_for(writer).put("job/chk-1/a", Bytes{1, 2, 3}, capture_status(sim, put));
  sim.run_until_idle();
  REQUIRE(put.status.has_value());
  REQUIRE(put.status->is_ok());
  sim.crash(writer);

  Outcome get;
  storage.view_for(reader).get("job/chk-1/a", capture_result(sim, get));
  sim.run_until_idle();
  REQUIRE(get.result.has_value());
  REQUIRE(get.result->is_ok());
  CHECK(get.result->value() == Bytes{1, 2, 3});
  CHECK(storage.view_for(reader).list("job/") == std::vector<std::string>{"job/chk-1/a"});
}

TEST_CASE("blob storage: a get whose caller crashes never completes", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId writer = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  storage.view_for(writer).put("a", Bytes{1}, nullptr);
  sim.run_until_idle();
  bool done_ran = false;
  storage.view_for(writer).get("a", [&](Result<Bytes>) { done_ran = true; });
  sim.crash(writer);
  sim.run_until_idle();
  CHECK_FALSE(done_ran);
  CHECK(storage.operations_in_flight() == 0);
}

TEST_CASE("blob storage: capacity exceeded fails the put with kResourceExhausted", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  BlobStorageModel model;
  model.capacity_bytes = 1000;
  SimBlobStorage storage(sim, model);
  BlobStore& store = storage.view_for(p);
  Outcome first, second, replace;
  store.put("a", bytes_of_size(600), capture_status(sim, first));
  sim.run_until_idle();
  store.put("b", bytes_of_size(600), capture_status(sim, second));
  sim.run_until_idle();
  REQUIRE(first.status.has_value());
  REQUIRE(second.status.has_value());
  CHECK(first.status->is_ok());
  CHECK(second.status->code() == StatusCode::kResourceExhausted);
  CHECK_FALSE(storage.contains("b"));
  CHECK(storage.total_bytes_stored() == 600);
  // Replacing a blob counts only the difference.
  store.put("a", bytes_of_size(1000), capture_status(sim, replace));
  sim.run_until_idle();
  REQUIRE(replace.status.has_value());
  CHECK(replace.status->is_ok());
  CHECK(storage.total_bytes_stored() == 1000);
  CHECK(storage.counters().puts_failed == 1);
}

TEST_CASE("blob storage: a fault corrupting a get is caught as kCorruption", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  BlobStore& store = storage.view_for(p);
  store.put("a", Bytes{1, 2, 3, 4}, nullptr);
  sim.run_until_idle();

  FlipFirstByteOnGet faults;
  storage.set_faults(&faults);
  Outcome corrupted;
  store.get("a", capture_result(sim, corrupted));
  sim.run_until_idle();
  REQUIRE(corrupted.result.has_value());
  REQUIRE_FALSE(corrupted.result->is_ok());
  CHECK(corrupted.result->status().code() == StatusCode::kCorruption);

  storage.set_faults(nullptr);  // corruption in flight only: the stored bytes are intact
  Outcome clean;
  store.get("a", capture_result(sim, clean));
  sim.run_until_idle();
  REQUIRE(clean.result->is_ok());
  CHECK(clean.result->value() == Bytes{1, 2, 3, 4});

  REQUIRE(storage.flip_stored_bit("a", 17));  // bit rot at rest
  Outcome rotten;
  store.get("a", capture_result(sim, rotten));
  sim.run_until_idle();
  CHECK(rotten.result->status().code() == StatusCode::kCorruption);
  CHECK_FALSE(storage.flip_stored_bit("a", 32));
}

TEST_CASE("blob storage: a rejected put fails after the latency and commits nothing", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  RejectPuts faults;
  storage.set_faults(&faults);
  Outcome put;
  storage.view_for(p).put("a", bytes_of_size(1'000'000), capture_status(sim, put));
  sim.run_until_idle();
  REQUIRE(put.status.has_value());
  CHECK(put.status->code() == StatusCode::kIoError);
  CHECK(put.time_ns == 5 * kMillisecond);
  CHECK_FALSE(storage.contains("a"));
}

TEST_CASE("blob storage: a slow-put fault delays the completion", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  SlowPuts faults;
  storage.set_faults(&faults);
  Outcome put;
  storage.view_for(p).put("a", bytes_of_size(1'000'000), capture_status(sim, put));
  sim.run_until_idle();
  CHECK(put.time_ns == 13 * kMillisecond);
}

TEST_CASE("blob storage: unknown names, idempotent removes and reads of removed blobs", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  BlobStore& store = storage.view_for(p);
  Outcome missing;
  store.get("nope", capture_result(sim, missing));
  sim.run_until_idle();
  CHECK(missing.result->status().code() == StatusCode::kNotFound);
  CHECK(missing.time_ns == 5 * kMillisecond);

  store.put("a", Bytes{1}, nullptr);
  sim.run_until_idle();
  Outcome removed, removed_again, after;
  store.remove("a", capture_status(sim, removed));
  store.remove("a", capture_status(sim, removed_again));
  sim.run_until_idle();
  CHECK(removed.status->is_ok());
  CHECK(removed_again.status->is_ok());
  CHECK(storage.total_bytes_stored() == 0);
  store.get("a", capture_result(sim, after));
  sim.run_until_idle();
  CHECK(after.result->status().code() == StatusCode::kNotFound);
}

TEST_CASE("blob storage: a remove lost with its crashed caller leaves the blob", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  storage.view_for(p).put("a", Bytes{1}, nullptr);
  sim.run_until_idle();
  bool done_ran = false;
  storage.view_for(p).remove("a", [&](Status) { done_ran = true; });
  sim.crash(p);
  sim.run_until_idle();
  CHECK_FALSE(done_ran);
  CHECK(storage.contains("a"));
}

TEST_CASE("blob storage: a get returns the bytes committed when it was issued", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  BlobStore& store = storage.view_for(p);
  store.put("a", bytes_of_size(4'000'000), nullptr);  // 5 ms + 20 ms
  sim.run_until_idle();
  Outcome get;
  store.get("a", capture_result(sim, get));  // 5 ms + 10 ms
  store.remove("a", nullptr);                // completes after 5 ms, before the get
  sim.run_until_idle();
  REQUIRE(get.result->is_ok());
  CHECK(get.result->value().size() == 4'000'000);
  CHECK_FALSE(storage.contains("a"));
}

TEST_CASE("blob storage: list returns committed names under a prefix in lexicographic order", "[unit][storage]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-0");
  SimBlobStorage storage(sim, BlobStorageModel{});
  BlobStore& store = storage.view_for(p);
  for (const char* name : {"job/chk-2/b", "job/chk-10/a", "job/chk-1/a", "other/x", "job/chk-2/a"}) {
    store.put(name, Bytes{1}, nullptr);
  }
  CHECK(store.list("").empty());  // nothing committed yet
  sim.run_until_idle();
  CHECK(store.list("job/") ==
        std::vector<std::string>{"job/chk-1/a", "job/chk-10/a", "job/chk-2/a", "job/chk-2/b"});
  CHECK(store.list("job/chk-2/") == std::vector<std::string>{"job/chk-2/a", "job/chk-2/b"});
  CHECK(store.list("") == std::vector<std::string>{"job/chk-1/a", "job/chk-10/a", "job/chk-2/a", "job/chk-2/b",
                                                   "other/x"});
  CHECK(store.list("zzz").empty());
}

TEST_CASE("blob storage: storage operations are part of the event log fingerprint", "[unit][storage]") {
  const auto run = [](bool with_put, std::size_t size) {
    SimulationOptions options = options_with_seed(7);
    options.log.keep_records = true;
    Simulation sim(options);
    const ProcessId p = sim.add_process("tm-0");
    SimBlobStorage storage(sim, BlobStorageModel{});
    sim.schedule_after(p, 1 * kMillisecond, [] {});
    if (with_put) storage.view_for(p).put("a", bytes_of_size(size), nullptr);
    sim.run_until_idle();
    std::vector<std::string> kinds;
    for (const EventRecord& record : sim.log().records()) kinds.emplace_back(sim.log().kind_name(record.kind));
    return std::pair(sim.fingerprint(), kinds);
  };
  const auto [without, without_kinds] = run(false, 0);
  const auto [with, with_kinds] = run(true, 10);
  const auto [with_again, with_again_kinds] = run(true, 10);
  const auto [bigger, bigger_kinds] = run(true, 11);
  CHECK(without != with);
  CHECK(with == with_again);
  CHECK(with != bigger);
  CHECK(std::count(with_kinds.begin(), with_kinds.end(), "blob_put") == 1);
  CHECK(std::count(with_kinds.begin(), with_kinds.end(), "blob_put_done") == 1);
  CHECK(std::count(without_kinds.begin(), without_kinds.end(), "blob_put") == 0);
}
