// The real-file fault kinds (faults/file_faults.h) through the fault world: each kind
// reaches a real file operation of FileCheckpointStorage or of a RocksDB backend, at
// the virtual time of its window, and heals.
#include <catch2/catch.hpp>

#include <rocksdb/file_system.h>

#include <memory>
#include <optional>
#include <string>

#include "tests/state/file_test_support.h"
#include "fault_test_world.h"
#include "faults/fault_catalogue.h"
#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "protocol/state/rocksdb_state_backend.h"
#include "sim/cluster/run_file_faults.h"
#include "sim/storage/rocksdb_local_state_file_system.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

// A TestWorld whose fault world also has real checkpoint files (and optionally RocksDB).
struct FileWorld {
  explicit FileWorld(bool with_rocksdb = false, std::uint64_t seed = 1)
      : world(2, seed),
        layers(posix, with_rocksdb ? std::make_shared<sim::RocksDbLocalStateFileSystem>(rocksdb::FileSystem::Default())
                              : nullptr,
               seed),
        storage(layers.checkpoint_files(), scratch / "checkpoints", sim::RunFileFaults::checkpoint_storage_options()) {
    world.schedule->world().set_run_files(&layers, storage.root_dir());
  }
  // Runs `action` at `at_ns` of virtual time.
  void at(TimeNs at_ns, std::function<void()> action) {
    world.simulation.schedule_global_after(at_ns - world.simulation.now_ns(), std::move(action));
  }

  ckptsim::testing::ScratchDirectory scratch;
  TestWorld world;
  PosixFileSystem posix;
  sim::RunFileFaults layers;
  FileCheckpointStorage storage;
};

ScheduledFault with_probability(ScheduledFault fault, std::string probability) {
  fault.params["probability"] = std::move(probability);
  return fault;
}

}  // namespace

TEST_CASE("file faults: failed appends fail checkpoint writes with EIO while active", "[unit][faults]") {
  FileWorld w;
  REQUIRE(w.world.add({lasting_fault("checkpoint-file-write-failure", 10 * kMillisecond, 100 * kMillisecond)}).is_ok());
  std::optional<Status> before, during, after;
  w.at(5 * kMillisecond, [&] { before = w.storage.write("job/chk-1/a", Bytes{1, 2, 3}); });
  w.at(50 * kMillisecond, [&] { during = w.storage.write("job/chk-2/a", Bytes{1, 2, 3}); });
  w.at(200 * kMillisecond, [&] { after = w.storage.write("job/chk-3/a", Bytes{1, 2, 3}); });
  w.world.simulation.run_until_idle();
  CHECK(before->is_ok());
  REQUIRE(during.has_value());
  CHECK(during->code() == StatusCode::kIoError);
  CHECK(w.storage.read("job/chk-2/a").status().code() == StatusCode::kNotFound);  // nothing visible
  CHECK(after->is_ok());
  CHECK(w.layers.checkpoint_files().counters().injected_failures >= 1);
}

TEST_CASE("file faults: failed fsyncs fail checkpoint writes and leave nothing visible", "[unit][faults]") {
  FileWorld w;
  REQUIRE(w.world.add({lasting_fault("checkpoint-file-sync-failure", 0, 100 * kMillisecond)}).is_ok());
  std::optional<Status> during;
  w.at(50 * kMillisecond, [&] { during = w.storage.write("job/chk-1/a", Bytes{4, 5}); });
  w.world.simulation.run_until_idle();
  REQUIRE(during.has_value());
  CHECK(during->code() == StatusCode::kIoError);
  CHECK(w.storage.read("job/chk-1/a").status().code() == StatusCode::kNotFound);
  CHECK(w.layers.checkpoint_files().counters().injected_failures >= 1);
}

TEST_CASE("file faults: a torn append is caught before the file is published", "[unit][faults]") {
  FileWorld w;
  REQUIRE(w.world.add({lasting_fault("checkpoint-file-torn-write", 0, 100 * kMillisecond)}).is_ok());
  std::optional<Status> during;
  w.at(50 * kMillisecond, [&] { during = w.storage.write("job/chk-1/a", ckptsim::testing::patterned_bytes(100, 3)); });
  w.world.simulation.run_until_idle();
  REQUIRE(during.has_value());
  CHECK(w.layers.checkpoint_files().counters().torn_appends >= 1);
  // Never acknowledged as written: the write fails, and nothing torn is readable.
  CHECK(during->code() == StatusCode::kCorruption);
  CHECK(w.storage.read("job/chk-1/a").status().code() == StatusCode::kNotFound);
}

TEST_CASE("file faults: a flipped bit is refused by the reader and repaired at the heal", "[unit][faults]") {
  FileWorld w;
  REQUIRE(w.storage.write("job/chk-1/a", ckptsim::testing::patterned_bytes(64, 1)).is_ok());
  REQUIRE(w.world.add({lasting_fault("checkpoint-file-bit-flip", 10 * kMillisecond, 50 * kMillisecond)}).is_ok());
  std::optional<Result<Bytes>> during, after;
  w.at(20 * kMillisecond, [&] { during = w.storage.read("job/chk-1/a"); });
  w.at(100 * kMillisecond, [&] { after = w.storage.read("job/chk-1/a"); });
  w.world.simulation.run_until_idle();
  REQUIRE(during.has_value());
  CHECK(during->status().code() == StatusCode::kCorruption);
  REQUIRE(after.has_value());
  REQUIRE(after->is_ok());
  CHECK(after->value() == ckptsim::testing::patterned_bytes(64, 1));
  CHECK(w.world.schedule->world().file_faults().value()->counters().bit_flips_repaired == 1);
}

// Explore finding (wordcount-file-storage-faults, seed 184): two bit flips of one file
// whose windows overlap. The first heal saw the second flip in the file, took the file
// for changed and left its own bit flipped for good; the JobManager could then never
// read its checkpoint data again and the job never finished.
TEST_CASE("file faults: overlapping bit flips of one file are all repaired", "[unit][faults]") {
  for (const bool first_heals_first : {true, false}) {
    INFO("first heals first: " << first_heals_first);
    FileWorld w;
    REQUIRE(w.storage.write("job/chk-1/a", ckptsim::testing::patterned_bytes(64, 1)).is_ok());  // the only file
    REQUIRE(w.world
                .add({lasting_fault("checkpoint-file-bit-flip", 10 * kMillisecond, first_heals_first ? 30 * kMillisecond : 80 * kMillisecond),
                      lasting_fault("checkpoint-file-bit-flip", 20 * kMillisecond, 40 * kMillisecond)})
                .is_ok());
    std::optional<Result<Bytes>> after;
    w.at(200 * kMillisecond, [&] { after = w.storage.read("job/chk-1/a"); });
    w.world.simulation.run_until_idle();
    const InjectedFileFaultCounters& counters = w.world.schedule->world().file_faults().value()->counters();
    CHECK(counters.bit_flips == 2);
    CHECK(counters.bit_flips_repaired == 2);
    REQUIRE(after.has_value());
    REQUIRE(after->is_ok());
    CHECK(after->value() == ckptsim::testing::patterned_bytes(64, 1));
  }
}

TEST_CASE("file faults: a bit flip without a duration stays", "[unit][faults]") {
  FileWorld w;
  REQUIRE(w.storage.write("job/chk-1/a", Bytes{9, 9, 9}).is_ok());
  ScheduledFault flip;
  flip.type = "checkpoint-file-bit-flip";
  flip.at_ns = 10 * kMillisecond;
  REQUIRE(w.world.add({flip}).is_ok());
  w.world.simulation.run_until_idle();
  CHECK(w.storage.read("job/chk-1/a").status().code() == StatusCode::kCorruption);
}

TEST_CASE("file faults: a power loss keeps every acknowledged file and drops the rest", "[unit][faults]") {
  for (const std::string torn : {"false", "true"}) {
    FileWorld w(false, torn == "true" ? 7 : 3);
    ScheduledFault loss = lasting_fault("checkpoint-storage-power-loss", 10 * kMillisecond, 50 * kMillisecond);
    loss.params = {{"max-operations", "4"}, {"torn-tails", torn}};
    REQUIRE(w.world.add({loss}).is_ok());
    std::optional<Status> acknowledged;
    std::vector<Status> during;
    w.at(5 * kMillisecond, [&] { acknowledged = w.storage.write("job/chk-1/a", Bytes{1, 2, 3}); });
    w.at(20 * kMillisecond, [&] {
      for (int i = 0; i < 3; ++i) during.push_back(w.storage.write("job/chk-2/f" + std::to_string(i), Bytes(50, 8)));
    });
    w.world.simulation.run_until_idle();
    REQUIRE(acknowledged->is_ok());
    INFO("torn tails " << torn);
    CHECK(w.layers.checkpoint_files().counters().power_losses == 1);
    CHECK(w.layers.checkpoint_files().counters().frozen_rejections >= 1);
    CHECK_FALSE(during.back().is_ok());   // after at most 4 more operations the storage is dead
    REQUIRE(w.storage.read("job/chk-1/a").is_ok());
    for (int i = 0; i < 3; ++i) {
      const Result<Bytes> read = w.storage.read("job/chk-2/f" + std::to_string(i));
      // Acknowledged files survive; the others are gone, never half there.
      if (during[i].is_ok()) {
        CHECK(read.is_ok());
      } else {
        CHECK(read.status().code() == StatusCode::kNotFound);
      }
    }
    // The storage came back.
    CHECK(w.storage.write("job/chk-3/a", Bytes{1}).is_ok());
  }
}

TEST_CASE("file faults: a failed RocksDB flush makes the backend's error sticky", "[unit][faults]") {
  for (const std::string type : {"rocksdb-write-failure", "rocksdb-sync-failure"}) {
    INFO(type);
    FileWorld w(true);
    RocksDbBackendOptions options;
    options.working_dir = w.scratch / "db";
    options.env = w.layers.rocksdb_env();
    options.hooks = w.layers.new_backend_hooks();
    Result<std::unique_ptr<RocksDbStateBackend>> opened = RocksDbStateBackend::open(8, KeyGroupRange{0, 7}, options);
    REQUIRE(opened.is_ok());
    RocksDbStateBackend& backend = *opened.value();
    w.layers.attach_backend(options.hooks, &backend);
    REQUIRE(w.world.add({lasting_fault(type, 10 * kMillisecond, 50 * kMillisecond)}).is_ok());
    std::optional<Status> first_snapshot, later_snapshot, after_heal;
    // Result::status() is for failed results only.
    const auto status_of = [](const auto& result) { return result.is_ok() ? Status::ok() : result.status(); };
    for (std::uint64_t k = 0; k < 100; ++k) backend.put(k, 0, StateValue{k, 0});
    REQUIRE(backend.snapshot().is_ok());  // before the fault
    w.at(20 * kMillisecond, [&] { first_snapshot = status_of(backend.snapshot()); });
    w.at(30 * kMillisecond, [&] {
      backend.put(1000, 0, StateValue{1, 0});
      later_snapshot = status_of(backend.snapshot());
    });
    w.at(100 * kMillisecond, [&] { after_heal = status_of(backend.snapshot()); });
    w.world.simulation.run_until_idle();
    CHECK(w.layers.rocksdb_counters().armed_snapshots >= 1);
    CHECK(w.layers.rocksdb_counters().failed_flushes >= 1);
    CHECK(w.layers.rocksdb_files().counters().injected_failures >= 1);
    REQUIRE(later_snapshot.has_value());
    CHECK_FALSE(later_snapshot->is_ok());   // the task would decline
    REQUIRE(after_heal.has_value());
    CHECK_FALSE(after_heal->is_ok());       // sticky until the backend is replaced
    CHECK_FALSE(backend.sticky_error().is_ok());
  }
}

TEST_CASE("file faults: a run without real files cannot take them", "[unit][faults]") {
  TestWorld w;  // no set_run_files
  const Status status = w.add({lasting_fault("checkpoint-file-write-failure", 0, 10 * kMillisecond)});
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(status.message(), Catch::Contains("execution.checkpointing.dir"));
  FileWorld no_rocksdb;
  const Status rocks = no_rocksdb.world.add({lasting_fault("rocksdb-write-failure", 0, 10 * kMillisecond)});
  CHECK(rocks.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(rocks.message(), Catch::Contains("rocksdb"));
}

TEST_CASE("file faults: the same seed draws the same damage", "[unit][faults]") {
  auto damaged_bit = [](std::uint64_t seed) {
    FileWorld w(false, seed);
    for (int i = 0; i < 5; ++i) REQUIRE(w.storage.write("job/chk-1/f" + std::to_string(i), Bytes(32, 1)).is_ok());
    ScheduledFault flip;
    flip.type = "checkpoint-file-bit-flip";
    flip.at_ns = 1 * kMillisecond;
    REQUIRE(w.world.add({flip}).is_ok());
    w.world.simulation.run_until_idle();
    std::string damaged;
    for (int i = 0; i < 5; ++i) {
      if (!w.storage.read("job/chk-1/f" + std::to_string(i)).is_ok()) damaged += std::to_string(i);
    }
    return damaged;
  };
  CHECK(damaged_bit(11) == damaged_bit(11));
  CHECK(damaged_bit(11).size() == 1);
}

TEST_CASE("file faults: the catalogue checks their fields", "[unit][faults]") {
  ScheduledFault bad = lasting_fault("checkpoint-file-write-failure", 0, 0);
  REQUIRE(check_fault(bad).has_value());
  CHECK(check_fault(bad)->field == "duration");
  ScheduledFault loss = lasting_fault("checkpoint-storage-power-loss", 0, kMillisecond);
  loss.params = {{"torn-tails", "maybe"}};
  REQUIRE(check_fault(loss).has_value());
  CHECK(check_fault(loss)->field == "torn-tails");
  CHECK_FALSE(check_fault(with_probability(lasting_fault("rocksdb-sync-failure", 0, kMillisecond), "0.5")).has_value());
  CHECK(file_need("rocksdb-sync-failure") == FileNeed::kRocksDb);
  CHECK(file_need("checkpoint-file-bit-flip") == FileNeed::kCheckpointFiles);
  CHECK(file_need("storage-full") == FileNeed::kNone);
}
