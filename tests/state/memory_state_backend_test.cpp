#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "protocol/state/memory_state_backend.h"
#include "state_test_support.h"

using namespace ckptsim;
using namespace ckptsim::test;

namespace {

KeyGroupRange full_range(std::uint32_t max_parallelism) { return KeyGroupRange{0, max_parallelism - 1}; }

Bytes snapshot_of(KeyedStateBackend& backend) {
  Result<Bytes> bytes = backend.snapshot();
  CKPT_ASSERT(bytes.is_ok(), "snapshot without hooks succeeds");
  return std::move(bytes).value();
}

// A key whose key group lies in `range`.
std::uint64_t key_in(KeyGroupRange range, std::uint32_t max_parallelism, std::uint64_t from = 0) {
  while (!range.contains(key_group_for_key(from, max_parallelism))) ++from;
  return from;
}

}  // namespace

TEST_CASE("memory backend: put, get, overwrite and remove", "[unit][state]") {
  const auto backend = make_memory_state_backend(128, full_range(128));
  CHECK_FALSE(backend->get(42, 0).has_value());
  backend->put(42, 0, StateValue{1, 10});
  backend->put(42, 1, StateValue{2, 20});
  CHECK(backend->get(42, 0) == StateValue{1, 10});
  CHECK(backend->get(42, 1) == StateValue{2, 20});
  backend->put(42, 0, StateValue{3, 30});
  CHECK(backend->get(42, 0) == StateValue{3, 30});
  CHECK(backend->entry_count() == 2);
  backend->remove(42, 0);
  backend->remove(42, 0);  // absent: nothing happens
  CHECK_FALSE(backend->get(42, 0).has_value());
  CHECK(backend->entry_count() == 1);
  CHECK(backend->max_parallelism() == 128);
  CHECK(backend->key_group_range() == full_range(128));
}

TEST_CASE("memory backend: the key group computation is key_group_for_key", "[property][state]") {
  rc::prop("a single-key-group backend accepts exactly the keys of its key group", [](std::uint64_t key) {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, kMaxParallelismUpperBound + 1);
    const std::uint32_t key_group = key_group_for_key(key, max_parallelism);
    MemoryStateBackend backend(max_parallelism, KeyGroupRange{key_group, key_group}, nullptr);
    backend.put(key, 0, StateValue{1, 2});  // asserts if the backend computed another key group
    RC_ASSERT((backend.get(key, 0) == StateValue{1, 2}));
  });
}

TEST_CASE("memory backend: a snapshot is not changed by later writes", "[unit][state]") {
  const auto backend = make_memory_state_backend(128, full_range(128));
  backend->put(1, 0, StateValue{1, 1});
  backend->put(2, 0, StateValue{2, 2});
  const Bytes snapshot = snapshot_of(*backend);
  const Bytes copy = snapshot;
  backend->put(1, 0, StateValue{9, 9});
  backend->put(3, 0, StateValue{3, 3});
  backend->remove(2, 0);
  CHECK(snapshot == copy);

  const auto restored = make_memory_state_backend(128, full_range(128));
  REQUIRE(restored->restore({snapshot}).is_ok());
  CHECK(restored->get(1, 0) == StateValue{1, 1});
  CHECK(restored->get(2, 0) == StateValue{2, 2});
  CHECK_FALSE(restored->get(3, 0).has_value());
}

TEST_CASE("memory backend: for_each goes by key group, then key, then name space", "[unit][state]") {
  constexpr std::uint32_t kMaxP = 8;
  const auto backend = make_memory_state_backend(kMaxP, full_range(kMaxP));
  for (std::uint64_t key = 100; key > 0; --key) {
    backend->put(key, static_cast<std::uint32_t>(key % 3), StateValue{key, 0});
  }
  for (std::uint64_t key = 1; key <= 100; key += 7) backend->put(key, 9, StateValue{key, 9});
  const std::vector<StateEntry> entries = entries_of(*backend);
  REQUIRE(entries.size() == backend->entry_count());
  const auto order = [](const StateEntry& e) {
    return std::tuple(key_group_for_key(e.key, kMaxP), e.key, e.name_space);
  };
  for (std::size_t i = 1; i < entries.size(); ++i) CHECK(order(entries[i - 1]) < order(entries[i]));
}

TEST_CASE("memory backend: snapshot then restore into a fresh backend keeps every entry", "[property][state]") {
  rc::prop("for_each of the restored backend equals the original", [] {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, 1024);
    const auto entries = *gen_entries();
    MemoryStateBackend original(max_parallelism, full_range(max_parallelism), nullptr);
    put_all(original, entries);
    MemoryStateBackend restored(max_parallelism, full_range(max_parallelism), nullptr);
    restored.put(key_in(full_range(max_parallelism), max_parallelism), 99, StateValue{});  // replaced by restore
    RC_ASSERT(restored.restore({snapshot_of(original)}).is_ok());
    const std::vector<StateEntry> restored_entries = entries_of(restored);
    RC_ASSERT(restored_entries == entries_of(original));
    RC_ASSERT(restored.entry_count() == model_of(entries).size());
    for (const StateEntry& e : restored_entries) RC_ASSERT(model_of(entries).at({e.key, e.name_space}) == e.value);
  });
}

TEST_CASE("memory backend: rescaling splits and merges key groups without loss", "[property][state]") {
  rc::prop("scale out from 1 to p, then across to q, then in to 1", [] {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, 512);
    const auto p = *rc::gen::inRange<std::uint32_t>(1, std::min(max_parallelism, 12u) + 1);
    const auto q = *rc::gen::inRange<std::uint32_t>(1, std::min(max_parallelism, 12u) + 1);
    const auto entries = *gen_entries();
    MemoryStateBackend whole(max_parallelism, full_range(max_parallelism), nullptr);
    put_all(whole, entries);
    const Bytes whole_snapshot = snapshot_of(whole);
    const std::vector<StateEntry> expected = entries_of(whole);

    // Restores `snapshots` into `parallelism` backends, checks that the concatenation
    // of their contents (in operator order, hence key group order) is the original,
    // and returns their snapshots.
    const auto rescale = [&](const std::vector<Bytes>& snapshots, std::uint32_t parallelism) {
      std::vector<StateEntry> concatenated;
      std::vector<Bytes> next;
      for (std::uint32_t i = 0; i < parallelism; ++i) {
        const KeyGroupRange range = key_group_range_for_operator_index(max_parallelism, parallelism, i);
        MemoryStateBackend part(max_parallelism, range, nullptr);
        RC_ASSERT(part.restore(snapshots).is_ok());
        for (const StateEntry& e : entries_of(part)) {
          RC_ASSERT(range.contains(key_group_for_key(e.key, max_parallelism)));
          concatenated.push_back(e);
        }
        next.push_back(snapshot_of(part));
      }
      RC_ASSERT(concatenated == expected);  // union is the original, each entry exactly once
      return next;
    };
    const std::vector<Bytes> p_snapshots = rescale({whole_snapshot}, p);
    const std::vector<Bytes> q_snapshots = rescale(p_snapshots, q);

    MemoryStateBackend merged(max_parallelism, full_range(max_parallelism), nullptr);
    RC_ASSERT(merged.restore(q_snapshots).is_ok());
    RC_ASSERT(entries_of(merged) == expected);
    RC_ASSERT(snapshot_of(merged) == whole_snapshot);  // byte-identical after the round trip
  });
}

TEST_CASE("memory backend: the same content gives identical snapshot bytes in any insertion order",
          "[property][state]") {
  rc::prop("shuffled inserts, with extra inserts removed again, give the same bytes", [] {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, 256);
    const auto entries = *gen_entries();
    // Distinct (key, name space) pairs, so that insertion order cannot change values.
    const EntryMap model = model_of(entries);
    std::vector<StateEntry> distinct;
    for (const auto& [key, value] : model) distinct.push_back(StateEntry{key.first, key.second, value});
    // A random permutation: sort by random ranks.
    const auto ranks =
        *rc::gen::container<std::vector<std::uint64_t>>(distinct.size(), rc::gen::arbitrary<std::uint64_t>());
    std::vector<std::size_t> order(distinct.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return std::pair(ranks[x], x) < std::pair(ranks[y], y); });
    std::vector<StateEntry> shuffled;
    for (const std::size_t i : order) shuffled.push_back(distinct[i]);
    const auto extra = *gen_entries(100);

    MemoryStateBackend forward(max_parallelism, full_range(max_parallelism), nullptr);
    put_all(forward, distinct);
    MemoryStateBackend scrambled(max_parallelism, full_range(max_parallelism), nullptr);
    for (const StateEntry& e : extra) scrambled.put(e.key, e.name_space + 100, e.value);
    put_all(scrambled, shuffled);
    for (const StateEntry& e : extra) scrambled.remove(e.key, e.name_space + 100);
    RC_ASSERT(snapshot_of(forward) == snapshot_of(scrambled));
    RC_ASSERT(entries_of(forward) == entries_of(scrambled));
  });
}

TEST_CASE("memory backend: a corrupt snapshot is rejected and leaves the backend empty", "[unit][state]") {
  const auto source = make_memory_state_backend(32, full_range(32));
  for (std::uint64_t key = 0; key < 20; ++key) source->put(key, 0, StateValue{key, key});
  const Bytes good = snapshot_of(*source);
  const auto target = make_memory_state_backend(32, full_range(32));
  for (std::size_t position = 0; position < good.size(); position += 7) {
    target->put(5, 0, StateValue{1, 1});
    Bytes bad = good;
    bad[position] ^= 0x04;
    const Status status = target->restore({good, bad});
    INFO("byte " << position);
    CHECK(status.code() == StatusCode::kCorruption);
    CHECK(status.message().find("snapshot 2 of 2") != std::string::npos);
    CHECK(target->entry_count() == 0);
    CHECK(entries_of(*target).empty());
  }
}

TEST_CASE("memory backend: restore refuses another max parallelism and overlapping snapshots", "[unit][state]") {
  const auto small = make_memory_state_backend(64, full_range(64));
  small->put(1, 0, StateValue{1, 1});
  const auto other = make_memory_state_backend(128, full_range(128));
  const Status mismatch = other->restore({snapshot_of(*small)});
  CHECK(mismatch.code() == StatusCode::kInvalidArgument);
  CHECK(mismatch.message().find("max parallelism 64") != std::string::npos);

  const auto target = make_memory_state_backend(64, full_range(64));
  const Bytes snapshot = snapshot_of(*small);
  const Status overlap = target->restore({snapshot, snapshot});
  CHECK(overlap.code() == StatusCode::kInvalidArgument);
  CHECK(target->entry_count() == 0);
}

TEST_CASE("memory backend: hooks fail snapshots and restores and corrupt snapshot bytes", "[unit][state]") {
  StateBackendHooks hooks;
  const auto backend = make_memory_state_backend(16, full_range(16), &hooks);
  backend->put(7, 0, StateValue{7, 7});

  hooks.before_snapshot = [] { return Status::io_error("injected: snapshot failed"); };
  const Result<Bytes> failed = backend->snapshot();
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::kIoError);

  hooks.before_snapshot = nullptr;
  hooks.after_snapshot_bytes = [](Bytes& bytes) { bytes[bytes.size() / 2] ^= 0x01; };
  const Bytes corrupted = snapshot_of(*backend);
  hooks.after_snapshot_bytes = nullptr;
  const auto target = make_memory_state_backend(16, full_range(16));
  CHECK(target->restore({corrupted}).code() == StatusCode::kCorruption);

  hooks.before_restore = [] { return Status::unavailable("injected: restore failed"); };
  const Bytes good = snapshot_of(*backend);
  CHECK(backend->restore({good}).code() == StatusCode::kUnavailable);
  CHECK(backend->entry_count() == 0);
}

TEST_CASE("memory backend: many entries survive growth, removal and a round trip", "[unit][state]") {
  constexpr std::uint32_t kMaxP = 128;
  const KeyGroupRange range = key_group_range_for_operator_index(kMaxP, 4, 1);
  MemoryStateBackend backend(kMaxP, range, nullptr);
  std::vector<std::uint64_t> keys;
  for (std::uint64_t key = 0; keys.size() < 50'000; ++key) {
    if (range.contains(key_group_for_key(key, kMaxP))) keys.push_back(key);
  }
  for (const std::uint64_t key : keys) backend.put(key, 0, StateValue{key, ~key});
  for (std::size_t i = 0; i < keys.size(); i += 2) backend.remove(keys[i], 0);
  CHECK(backend.entry_count() == keys.size() / 2);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::optional<StateValue> value = backend.get(keys[i], 0);
    if (i % 2 == 0) {
      CHECK_FALSE(value.has_value());
    } else {
      REQUIRE(value.has_value());
      CHECK(*value == StateValue{keys[i], ~keys[i]});
    }
  }
  MemoryStateBackend restored(kMaxP, range, nullptr);
  REQUIRE(restored.restore({snapshot_of(backend)}).is_ok());
  CHECK(entries_of(restored) == entries_of(backend));
}
