#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

#include "protocol/state/memory_state_backend.h"
#include "state_test_support.h"

using namespace ckptsim;
using namespace ckptsim::test;

namespace {

constexpr std::uint32_t kMaxParallelism = 16;
constexpr KeyGroupRange kFullRange{0, kMaxParallelism - 1};

// A small snapshot with several sections, several name spaces and a multi-entry section.
Bytes small_snapshot() {
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  for (std::uint64_t key = 0; key < 6; ++key) backend.put(key, 0, StateValue{key, key * 10});
  backend.put(3, 1, StateValue{7, 7});
  Result<Bytes> bytes = backend.snapshot();
  REQUIRE(bytes.is_ok());
  return std::move(bytes).value();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("snapshot format: the layout matches its documentation", "[unit][state]") {
  const Bytes bytes = small_snapshot();
  const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
  REQUIRE(view.is_ok());
  CHECK(view.value().entry_count() == 7);
  CHECK(bytes.size() == keyed_snapshot_size(view.value().sections().size(), 7));
  CHECK(bytes[0] == 'C');
  CHECK(bytes[1] == 'K');
  CHECK(bytes[2] == 'K');
  CHECK(bytes[3] == 'S');
  CHECK(load_le32(bytes.data() + 4) == kKeyedSnapshotVersion);
  CHECK(load_le64(bytes.data() + 8) == bytes.size());
  CHECK(load_le32(bytes.data() + 16) == kMaxParallelism);
  CHECK(view.value().key_group_range() == kFullRange);
  std::int64_t last = -1;
  for (const KeyedSnapshotSection& section : view.value().sections()) {
    CHECK(static_cast<std::int64_t>(section.key_group) > last);
    last = section.key_group;
    for (std::uint32_t i = 0; i < section.entry_count; ++i) {
      CHECK(key_group_for_key(view.value().entry(section, i).key, kMaxParallelism) == section.key_group);
    }
  }
}

TEST_CASE("snapshot format: an empty backend gives a valid empty snapshot", "[unit][state]") {
  MemoryStateBackend backend(kMaxParallelism, KeyGroupRange{4, 7}, nullptr);
  const Result<Bytes> bytes = backend.snapshot();
  REQUIRE(bytes.is_ok());
  CHECK(bytes.value().size() == kKeyedSnapshotHeaderBytes + kKeyedSnapshotFooterBytes);
  const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes.value());
  REQUIRE(view.is_ok());
  CHECK(view.value().sections().empty());
  CHECK(view.value().key_group_range() == KeyGroupRange{4, 7});
}

TEST_CASE("snapshot format: flipping any byte anywhere is rejected", "[unit][state]") {
  const Bytes original = small_snapshot();
  for (std::size_t position = 0; position < original.size(); ++position) {
    for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      Bytes damaged = original;
      damaged[position] ^= mask;
      const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(damaged);
      INFO("byte " << position << " xor " << int{mask});
      REQUIRE_FALSE(view.is_ok());
      CHECK(view.status().code() == StatusCode::kCorruption);
    }
  }
}

TEST_CASE("snapshot format: truncation at every length and appended bytes are rejected", "[unit][state]") {
  const Bytes original = small_snapshot();
  for (std::size_t length = 0; length < original.size(); ++length) {
    const Bytes truncated(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length));
    const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(truncated);
    INFO("length " << length);
    REQUIRE_FALSE(view.is_ok());
    CHECK(view.status().code() == StatusCode::kCorruption);
  }
  Bytes extended = original;
  extended.push_back(0);
  CHECK(KeyedSnapshotView::parse(extended).status().code() == StatusCode::kCorruption);
}

TEST_CASE("snapshot format: a wrong version is rejected with a message naming it", "[unit][state]") {
  Bytes bytes = small_snapshot();
  store_le32(bytes.data() + 4, 7);
  const Result<KeyedSnapshotView> unsealed = KeyedSnapshotView::parse(bytes);
  REQUIRE_FALSE(unsealed.is_ok());
  CHECK(unsealed.status().code() == StatusCode::kCorruption);
  CHECK(contains(unsealed.status().message(), "version 7"));

  reseal_snapshot(bytes);  // even with valid checksums, version 7 is not understood
  const Result<KeyedSnapshotView> sealed = KeyedSnapshotView::parse(bytes);
  REQUIRE_FALSE(sealed.is_ok());
  CHECK(contains(sealed.status().message(), "unsupported keyed snapshot version 7"));
  CHECK(contains(sealed.status().message(), "reads version 1"));
}

TEST_CASE("snapshot format: a bad magic says it is not a snapshot", "[unit][state]") {
  Bytes bytes = small_snapshot();
  bytes[0] = 'X';
  const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
  REQUIRE_FALSE(view.is_ok());
  CHECK(contains(view.status().message(), "not a keyed state snapshot"));
}

TEST_CASE("snapshot format: damage inside a section is named by its key group", "[unit][state]") {
  Bytes bytes = small_snapshot();
  const std::uint32_t first_key_group = load_le32(bytes.data() + kKeyedSnapshotHeaderBytes);
  bytes[kKeyedSnapshotHeaderBytes + 8 + 20] ^= 0x10;  // value.b of the first entry
  // Re-seal only the whole-file CRC: the section CRC alone must catch the damage.
  const std::size_t footer = bytes.size() - kKeyedSnapshotFooterBytes;
  store_le32(bytes.data() + footer, crc32c(std::span<const std::uint8_t>(bytes.data(), footer)));
  const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
  REQUIRE_FALSE(view.is_ok());
  CHECK(contains(view.status().message(), "key group " + std::to_string(first_key_group)));
  CHECK(contains(view.status().message(), "checksum mismatch"));
}

TEST_CASE("snapshot format: checks behind the checksums catch misplaced and unsorted entries", "[unit][state]") {
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  std::uint64_t key = 0;
  while (key_group_for_key(key, kMaxParallelism) != 3) ++key;
  backend.put(key, 0, StateValue{1, 1});
  backend.put(key, 1, StateValue{2, 2});
  const Bytes original = std::move(backend.snapshot()).value();
  const std::size_t first_entry = kKeyedSnapshotHeaderBytes + 8;

  SECTION("swapped entries are out of order") {
    Bytes bytes = original;
    std::swap_ranges(bytes.begin() + static_cast<std::ptrdiff_t>(first_entry),
                     bytes.begin() + static_cast<std::ptrdiff_t>(first_entry + kKeyedSnapshotEntryBytes),
                     bytes.begin() + static_cast<std::ptrdiff_t>(first_entry + kKeyedSnapshotEntryBytes));
    reseal_snapshot(bytes);
    const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
    REQUIRE_FALSE(view.is_ok());
    CHECK(contains(view.status().message(), "out of order"));
  }
  SECTION("a key of another key group") {
    Bytes bytes = original;
    std::uint64_t other = key + 1;
    while (key_group_for_key(other, kMaxParallelism) == 3) ++other;
    store_le64(bytes.data() + first_entry, other);
    reseal_snapshot(bytes);
    const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
    REQUIRE_FALSE(view.is_ok());
    CHECK(contains(view.status().message(), "another key group"));
  }
  SECTION("a section outside the declared range") {
    Bytes bytes = original;
    store_le32(bytes.data() + 20, 4);  // the range now starts after key group 3
    reseal_snapshot(bytes);
    const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
    REQUIRE_FALSE(view.is_ok());
    CHECK(contains(view.status().message(), "outside the range"));
  }
}

TEST_CASE("snapshot format: what the writer writes the reader returns", "[property][state]") {
  rc::prop("entries survive encode and parse", [] {
    const auto max_parallelism = *rc::gen::inRange<std::uint32_t>(1, 300);
    const auto entries = *gen_entries();
    MemoryStateBackend backend(max_parallelism, KeyGroupRange{0, max_parallelism - 1}, nullptr);
    put_all(backend, entries);
    const Bytes bytes = std::move(backend.snapshot()).value();
    const Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(bytes);
    RC_ASSERT(view.is_ok());
    std::vector<StateEntry> decoded;
    for (const KeyedSnapshotSection& section : view.value().sections()) {
      for (std::uint32_t i = 0; i < section.entry_count; ++i) decoded.push_back(view.value().entry(section, i));
    }
    RC_ASSERT(decoded == entries_of(backend));
    RC_ASSERT(view.value().entry_count() == model_of(entries).size());
  });
}
