#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using namespace ckptsim::sim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::files_below;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

namespace {

struct Fixture {
  ScratchDirectory scratch;
  PosixFileSystem posix;
  FaultInjectingFileSystem fs{posix, Rng(7)};
  std::string dir() const { return scratch.path(); }
  std::string at(const std::string& name) const { return scratch / name; }

  // Writes a complete file: create, append, sync (data durable), close. The name is
  // durable only after a sync of its directory.
  void write(const std::string& name, const Bytes& bytes, bool sync_data = true) {
    Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(at(name));
    REQUIRE(file.is_ok());
    REQUIRE(file.value()->append(bytes).is_ok());
    if (sync_data) REQUIRE(file.value()->sync().is_ok());
    REQUIRE(file.value()->close().is_ok());
  }
  Bytes read(const std::string& name) { return posix.read_file(at(name), 1 << 20).value(); }
  bool exists(const std::string& name) { return posix.exists(at(name)).value(); }
};

}  // namespace

TEST_CASE("fault fs: a power loss keeps synced data and drops the unsynced tail", "[unit][file-storage]") {
  Fixture f;
  Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at("log"));
  REQUIRE(file.is_ok());
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  REQUIRE(file.value()->append(bytes_of("durable")).is_ok());
  REQUIRE(file.value()->sync().is_ok());
  REQUIRE(file.value()->append(bytes_of("+lost")).is_ok());
  REQUIRE(file.value()->close().is_ok());
  CHECK(f.fs.unsynced_bytes() == 5);
  CHECK(f.read("log") == bytes_of("durable+lost"));
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK(f.read("log") == bytes_of("durable"));
  CHECK(f.fs.counters().power_losses == 1);
}

TEST_CASE("fault fs: a file whose directory was never synced vanishes", "[unit][file-storage]") {
  Fixture f;
  f.write("new", bytes_of("synced data, unsynced name"));
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK_FALSE(f.exists("new"));
}

TEST_CASE("fault fs: an unsynced rename is undone and the replaced file comes back", "[unit][file-storage]") {
  Fixture f;
  f.write("current", bytes_of("old version"));
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  f.write("current.tmp", bytes_of("new version"));
  REQUIRE(f.fs.rename(f.at("current.tmp"), f.at("current")).is_ok());
  CHECK(f.read("current") == bytes_of("new version"));

  SECTION("power loss before the directory sync") {
    REQUIRE(f.fs.power_loss().is_ok());
    CHECK(f.read("current") == bytes_of("old version"));
    CHECK_FALSE(f.exists("current.tmp"));  // its creation was never durable either
  }
  SECTION("power loss after the directory sync") {
    REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
    REQUIRE(f.fs.power_loss().is_ok());
    CHECK(f.read("current") == bytes_of("new version"));
    CHECK_FALSE(f.exists("current.tmp"));
  }
}

TEST_CASE("fault fs: a renamed durable file returns to its old name", "[unit][file-storage]") {
  Fixture f;
  f.write("a", bytes_of("content"));
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  REQUIRE(f.fs.rename(f.at("a"), f.at("b")).is_ok());
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK(f.read("a") == bytes_of("content"));
  CHECK_FALSE(f.exists("b"));
}

TEST_CASE("fault fs: an unsynced removal is undone, a synced one is not", "[unit][file-storage]") {
  Fixture f;
  f.write("keep", bytes_of("keep me"));
  f.write("gone", bytes_of("gone"));
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  REQUIRE(f.fs.remove_file(f.at("gone")).is_ok());
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  REQUIRE(f.fs.remove_file(f.at("keep")).is_ok());
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK(f.read("keep") == bytes_of("keep me"));
  CHECK_FALSE(f.exists("gone"));
}

TEST_CASE("fault fs: a directory not durably named in its parent vanishes with its content",
          "[unit][file-storage]") {
  Fixture f;
  REQUIRE(f.fs.create_dir(f.at("sub")).is_ok());
  f.write("sub/file", bytes_of("synced"));
  REQUIRE(f.fs.sync_dir(f.at("sub")).is_ok());
  SECTION("parent not synced") {
    REQUIRE(f.fs.power_loss().is_ok());
    CHECK_FALSE(f.exists("sub"));
  }
  SECTION("parent synced") {
    REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
    REQUIRE(f.fs.power_loss().is_ok());
    CHECK(f.read("sub/file") == bytes_of("synced"));
  }
  SECTION("removed without syncing the parent: comes back with its durable files") {
    REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
    REQUIRE(f.fs.remove_file(f.at("sub/file")).is_ok());
    REQUIRE(f.fs.remove_dir(f.at("sub")).is_ok());
    REQUIRE(f.fs.power_loss().is_ok());
    CHECK(f.read("sub/file") == bytes_of("synced"));
  }
}

TEST_CASE("fault fs: torn tails keep a prefix of the unsynced bytes, never more", "[unit][file-storage]") {
  Fixture f;
  f.write("f", bytes_of("0123456789"));
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  for (int round = 0; round < 20; ++round) {
    Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at("g"));
    REQUIRE(file.is_ok());
    REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
    REQUIRE(file.value()->append(bytes_of("synced|")).is_ok());
    REQUIRE(file.value()->sync().is_ok());
    REQUIRE(file.value()->append(bytes_of("unsynced")).is_ok());
    REQUIRE(file.value()->close().is_ok());
    REQUIRE(f.fs.power_loss(PowerLossOptions{true}).is_ok());
    const Bytes kept = f.read("g");
    const Bytes full = bytes_of("synced|unsynced");
    REQUIRE(kept.size() >= 7);
    REQUIRE(kept.size() <= full.size());
    CHECK(kept == Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(kept.size())));
  }
}

TEST_CASE("fault fs: after the crash point every mutating operation fails without effect", "[unit][file-storage]") {
  Fixture f;
  f.fs.freeze_after(2);
  Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at("f"));  // op 1
  REQUIRE(file.is_ok());
  REQUIRE(file.value()->append(bytes_of("abc")).is_ok());  // op 2
  CHECK(f.fs.is_frozen());
  CHECK(file.value()->sync().code() == StatusCode::kIoError);
  CHECK(file.value()->close().code() == StatusCode::kIoError);
  CHECK(f.fs.create_dir(f.at("d")).code() == StatusCode::kIoError);
  CHECK_FALSE(f.exists("d"));
  CHECK(f.fs.operation_count() == 2);
  CHECK(f.fs.counters().frozen_rejections == 3);
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK_FALSE(f.fs.is_frozen());
  CHECK_FALSE(f.exists("f"));
  CHECK(f.fs.create_dir(f.at("d")).is_ok());
}

TEST_CASE("fault fs: handles opened before a power loss are dead afterwards", "[unit][file-storage]") {
  Fixture f;
  Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at("f"));
  REQUIRE(file.is_ok());
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK(file.value()->append(bytes_of("x")).code() == StatusCode::kIoError);
  CHECK(file.value()->sync().code() == StatusCode::kIoError);
  CHECK(file.value()->close().code() == StatusCode::kIoError);
}

TEST_CASE("fault fs: injected failures hit the named operation once and change nothing", "[unit][file-storage]") {
  Fixture f;
  f.fs.fail_next(FileOperation::kRename);
  f.write("a", bytes_of("a"));
  CHECK(f.fs.rename(f.at("a"), f.at("b")).code() == StatusCode::kIoError);
  CHECK(f.exists("a"));
  CHECK(f.fs.rename(f.at("a"), f.at("b")).is_ok());
  f.fs.fail_next(FileOperation::kSync);
  Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at("c"));
  REQUIRE(file.is_ok());
  REQUIRE(f.fs.sync_dir(f.dir()).is_ok());
  REQUIRE(file.value()->append(bytes_of("data")).is_ok());
  CHECK(file.value()->sync().code() == StatusCode::kIoError);
  REQUIRE(file.value()->close().is_ok());
  REQUIRE(f.fs.power_loss().is_ok());
  CHECK(f.read("c").empty());  // the failed sync made nothing durable
  CHECK(f.fs.counters().injected_failures == 2);
  CHECK(f.fs.operation_count(FileOperation::kRename) == 2);
}

TEST_CASE("fault fs: a torn append is caught by the storage's checksum", "[unit][file-storage]") {
  Fixture f;
  // Without the read-back of staged files the torn file is published; its reader's
  // checksum refuses it.
  FileCheckpointStorage storage(f.fs, f.at("root"));  // verify_staged_files is off by default
  REQUIRE(storage.write("job/chk-1/op", bytes_of("warm up")).is_ok());
  f.fs.tear_next_append(10);  // the header append keeps 10 of its 16 bytes
  REQUIRE(storage.write("job/chk-1/op", patterned_bytes(300, 1)).is_ok());  // the device lied
  const Result<Bytes> read = storage.read("job/chk-1/op");
  REQUIRE_FALSE(read.is_ok());
  CHECK(read.status().code() == StatusCode::kCorruption);
  CHECK(f.fs.counters().torn_appends == 1);
}

TEST_CASE("fault fs: a torn append fails the write when staged files are verified", "[unit][file-storage]") {
  Fixture f;
  FileCheckpointStorageOptions verified;
  verified.verify_staged_files = true;
  FileCheckpointStorage storage(f.fs, f.at("root"), verified);
  REQUIRE(storage.write("job/chk-1/op", bytes_of("warm up")).is_ok());
  f.fs.tear_next_append(10);
  CHECK(storage.write("job/chk-1/op", patterned_bytes(300, 1)).code() == StatusCode::kCorruption);
  CHECK(f.fs.counters().torn_appends == 1);
  // The published value is the old one, intact.
  const Result<Bytes> read = storage.read("job/chk-1/op");
  REQUIRE(read.is_ok());
  CHECK(read.value() == bytes_of("warm up"));
}

TEST_CASE("fault fs: random faults are a pure function of the seed", "[unit][file-storage]") {
  const auto outcomes = [](std::uint64_t seed) {
    ScratchDirectory scratch;
    PosixFileSystem posix;
    FaultInjectingFileSystem fs(posix, Rng(seed));
    fs.set_random_faults(RandomFileFaults{0.2, 0.1, 0.2, 0.2, 0.2});
    FileCheckpointStorage storage(fs, scratch / "root");
    std::vector<int> codes;
    for (int i = 0; i < 40; ++i) {
      codes.push_back(static_cast<int>(storage.write("job/chk-1/f" + std::to_string(i), patterned_bytes(50, 1)).code()));
    }
    return std::make_pair(codes, files_below(scratch / "root"));
  };
  const auto first = outcomes(11);
  CHECK(first == outcomes(11));
  CHECK(first != outcomes(12));
  CHECK(std::count(first.first.begin(), first.first.end(), 0) > 0);
  CHECK(std::count(first.first.begin(), first.first.end(), 0) < 40);
}

TEST_CASE("fault fs: a power loss keeps exactly the files whose data and name were synced",
          "[property][file-storage]") {
  rc::prop("durable iff synced", [] {
    Fixture f;
    const std::size_t files = *rc::gen::inRange<std::size_t>(1, 6);
    std::vector<std::string> created;
    std::set<std::string> durable_names;          // created before some sync_dir
    std::map<std::string, std::size_t> synced;    // bytes made durable per file
    for (std::size_t i = 0; i < files; ++i) {
      const std::string name = "f" + std::to_string(i);
      Result<std::unique_ptr<WritableFile>> file = f.fs.new_writable_file(f.at(name));
      RC_ASSERT(file.is_ok());
      created.push_back(name);
      if (*rc::gen::arbitrary<bool>()) {
        RC_ASSERT(f.fs.sync_dir(f.dir()).is_ok());
        durable_names.insert(created.begin(), created.end());
      }
      std::size_t written = 0;
      const std::size_t appends = *rc::gen::inRange<std::size_t>(0, 4);
      for (std::size_t a = 0; a < appends; ++a) {
        const std::size_t size = *rc::gen::inRange<std::size_t>(1, 100);
        RC_ASSERT(file.value()->append(patterned_bytes(size, static_cast<std::uint8_t>(i))).is_ok());
        written += size;
        if (*rc::gen::arbitrary<bool>()) {
          RC_ASSERT(file.value()->sync().is_ok());
          synced[name] = written;
        }
      }
      RC_ASSERT(file.value()->close().is_ok());
    }
    RC_ASSERT(f.fs.power_loss().is_ok());
    const std::vector<std::string> expected_names(durable_names.begin(), durable_names.end());
    RC_ASSERT(files_below(f.dir()) == expected_names);
    for (const std::string& name : expected_names) {
      const Bytes content = f.read(name);
      RC_ASSERT(content.size() == synced[name]);
    }
  });
}
