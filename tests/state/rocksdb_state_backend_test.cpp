// The RocksDB keyed state backend behaves exactly like the memory backend: the same
// operations give the same entries, the same for_each order and byte-identical full
// snapshots, and full snapshots restore across the two backends in both directions.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "protocol/state/memory_state_backend.h"
#include "protocol/state/rocksdb_key_codec.h"
#include "tests/state/rocksdb_test_support.h"

using namespace ckptsim;
using namespace ckptsim::test;
using ckptsim::testing::ScratchDirectory;

TEST_CASE("rocksdb backend: key codec orders by key group, key, name space", "[unit][rocksdb]") {
  const auto a = encode_rocksdb_key(1, 0xFFFFFFFFFFFFFFFFULL, 9);
  const auto b = encode_rocksdb_key(2, 0, 0);
  const auto c = encode_rocksdb_key(2, 0, 1);
  const auto d = encode_rocksdb_key(2, 256, 0);
  auto str = [](const auto& k) { return std::string(k.data(), k.size()); };
  CHECK(str(a) < str(b));
  CHECK(str(b) < str(c));
  CHECK(str(c) < str(d));
  CHECK(str(d) < rocksdb_key_group_prefix(3));
  const auto decoded = decode_rocksdb_key(str(d));
  REQUIRE(decoded.has_value());
  CHECK(decoded->key_group == 2);
  CHECK(decoded->key == 256);
  CHECK(decoded->name_space == 0);
  CHECK(rocksdb_key_group_prefix(kMaxParallelismUpperBound - 1) < rocksdb_key_group_prefix(kMaxParallelismUpperBound));
}

TEST_CASE("rocksdb backend: put, get, overwrite and remove", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  auto db = open_rocksdb(scratch / "db", 128, whole_range(128));
  CHECK(db->entry_count() == 0);
  CHECK_FALSE(db->get(7, 0).has_value());
  db->put(7, 0, StateValue{1, 2});
  db->put(7, 1, StateValue{3, 4});
  db->put(7, 0, StateValue{5, 6});
  CHECK(db->entry_count() == 2);
  CHECK(db->get(7, 0) == StateValue{5, 6});
  CHECK(db->get(7, 1) == StateValue{3, 4});
  db->remove(7, 1);
  db->remove(7, 1);
  db->remove(8, 0);
  CHECK(db->entry_count() == 1);
  CHECK_FALSE(db->get(7, 1).has_value());
  CHECK(db->sticky_error().is_ok());
}

TEST_CASE("rocksdb backend: same entries, order and snapshot bytes as the memory backend", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  constexpr std::uint32_t kMaxP = 64;
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP));
  auto memory = make_memory_state_backend(kMaxP, whole_range(kMaxP));
  const std::vector<StateEntry> entries = entries_in_range(0, 2000, kMaxP, whole_range(kMaxP));
  put_all(*db, entries);
  put_all(*memory, entries);
  for (std::uint64_t key = 0; key < 2000; key += 5) {
    db->remove(key, static_cast<std::uint32_t>(key % 3));
    memory->remove(key, static_cast<std::uint32_t>(key % 3));
  }
  CHECK(db->entry_count() == memory->entry_count());
  CHECK(entries_of(*db) == entries_of(*memory));
  Result<Bytes> from_db = db->snapshot();
  Result<Bytes> from_memory = memory->snapshot();
  REQUIRE(from_db.is_ok());
  REQUIRE(from_memory.is_ok());
  CHECK(from_db.value() == from_memory.value());
}

TEST_CASE("rocksdb backend: full snapshots restore across backends", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  constexpr std::uint32_t kMaxP = 32;
  auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP));
  put_all(*db, entries_in_range(0, 500, kMaxP, whole_range(kMaxP)));
  Result<Bytes> snapshot = db->snapshot();
  REQUIRE(snapshot.is_ok());

  auto memory = make_memory_state_backend(kMaxP, whole_range(kMaxP));
  REQUIRE(memory->restore({snapshot.value()}).is_ok());
  CHECK(entries_of(*memory) == entries_of(*db));

  memory->put(1000, 0, StateValue{9, 9});
  Result<Bytes> back = memory->snapshot();
  REQUIRE(back.is_ok());
  auto db2 = open_rocksdb(scratch / "db2", kMaxP, whole_range(kMaxP));
  db2->put(4, 0, StateValue{1, 1});  // replaced by the restore
  REQUIRE(db2->restore({back.value()}).is_ok());
  CHECK(entries_of(*db2) == entries_of(*memory));
  CHECK(db2->entry_count() == memory->entry_count());
}

TEST_CASE("rocksdb backend: a corrupt or foreign snapshot restores nothing", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  auto db = open_rocksdb(scratch / "db", 16, whole_range(16));
  put_all(*db, entries_in_range(0, 100, 16, whole_range(16)));
  Result<Bytes> snapshot = db->snapshot();
  REQUIRE(snapshot.is_ok());
  Bytes damaged = snapshot.value();
  damaged[damaged.size() / 2] ^= 0x10;
  auto target = open_rocksdb(scratch / "target", 16, whole_range(16));
  CHECK(target->restore({damaged}).code() == StatusCode::kCorruption);
  CHECK(target->entry_count() == 0);
  auto other = open_rocksdb(scratch / "other", 32, whole_range(32));
  CHECK(other->restore({snapshot.value()}).code() == StatusCode::kInvalidArgument);
  CHECK(target->restore({snapshot.value(), snapshot.value()}).code() == StatusCode::kInvalidArgument);
  CHECK(target->entry_count() == 0);
  CHECK(entries_of(*target).empty());
}

TEST_CASE("rocksdb backend: full snapshots rescale 2 -> 3 and 3 -> 2", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  constexpr std::uint32_t kMaxP = 128;
  for (const auto& [from_p, to_p] : {std::pair<std::uint32_t, std::uint32_t>{2, 3}, {3, 2}}) {
    std::vector<Bytes> snapshots;
    EntryMap expected;
    for (std::uint32_t i = 0; i < from_p; ++i) {
      const KeyGroupRange range = key_group_range_for_operator_index(kMaxP, from_p, i);
      auto db = open_rocksdb(scratch / ("from-" + std::to_string(from_p) + "-" + std::to_string(i)), kMaxP, range);
      const auto entries = entries_in_range(0, 3000, kMaxP, range);
      put_all(*db, entries);
      for (const StateEntry& e : entries) expected[{e.key, e.name_space}] = e.value;
      Result<Bytes> snapshot = db->snapshot();
      REQUIRE(snapshot.is_ok());
      snapshots.push_back(snapshot.value());
    }
    EntryMap restored;
    for (std::uint32_t i = 0; i < to_p; ++i) {
      const KeyGroupRange range = key_group_range_for_operator_index(kMaxP, to_p, i);
      auto db = open_rocksdb(scratch / ("to-" + std::to_string(from_p) + "-" + std::to_string(i)), kMaxP, range);
      REQUIRE(db->restore(snapshots).is_ok());
      for (const StateEntry& e : entries_of(*db)) {
        CHECK(range.contains(key_group_for_key(e.key, kMaxP)));
        restored[{e.key, e.name_space}] = e.value;
      }
    }
    CHECK(restored == expected);
  }
}

TEST_CASE("rocksdb backend: the working directory is removed with the backend", "[unit][rocksdb]") {
  ScratchDirectory scratch;
  {
    auto db = open_rocksdb(scratch / "db", 8, whole_range(8));
    db->put(1, 0, StateValue{1, 1});
    CHECK(std::filesystem::exists(scratch / "db"));
    Result<std::unique_ptr<RocksDbStateBackend>> second = RocksDbStateBackend::open(8, whole_range(8), [&] {
      RocksDbBackendOptions o;
      o.working_dir = scratch / "db";
      return o;
    }());
    CHECK(second.status().code() == StatusCode::kIoError);
  }
  CHECK_FALSE(std::filesystem::exists(scratch / "db"));
}

TEST_CASE("rocksdb backend: random operations leave the same state as the memory backend", "[property][rocksdb]") {
  rc::prop("same entries, count and snapshot bytes", [](const std::vector<bool>& removals) {
    const std::vector<StateEntry> entries = *gen_entries(200);
    constexpr std::uint32_t kMaxP = 16;
    ScratchDirectory scratch;
    auto db = open_rocksdb(scratch / "db", kMaxP, whole_range(kMaxP));
    auto memory = make_memory_state_backend(kMaxP, whole_range(kMaxP));
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const StateEntry& e = entries[i];
      if (i < removals.size() && removals[i]) {
        db->remove(e.key, e.name_space);
        memory->remove(e.key, e.name_space);
      } else {
        db->put(e.key, e.name_space, e.value);
        memory->put(e.key, e.name_space, e.value);
      }
    }
    RC_ASSERT(db->entry_count() == memory->entry_count());
    RC_ASSERT(entries_of(*db) == entries_of(*memory));
    RC_ASSERT(db->snapshot().value() == memory->snapshot().value());
  });
}
