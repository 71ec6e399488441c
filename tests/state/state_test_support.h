// Helpers shared by the state tests: generating entries, reading a backend back,
// and re-sealing a snapshot's checksums after a deliberate edit.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"
#include "protocol/state/keyed_snapshot_format.h"
#include "protocol/state/keyed_state_backend.h"

namespace ckptsim::test {

using EntryKey = std::pair<std::uint64_t, std::uint32_t>;
using EntryMap = std::map<EntryKey, StateValue>;

// Entries with keys drawn from a small range (so name spaces of one key and
// overwrites occur) or from all 64-bit values.
inline rc::Gen<std::vector<StateEntry>> gen_entries(std::size_t max_count = 300) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, max_count + 1), [](std::size_t count) {
    return rc::gen::container<std::vector<StateEntry>>(
        count, rc::gen::apply(
                   [](std::uint64_t small_key, std::uint64_t any_key, bool use_small, std::uint32_t name_space,
                      std::uint64_t a, std::uint64_t b) {
                     return StateEntry{use_small ? small_key : any_key, name_space, StateValue{a, b}};
                   },
                   rc::gen::inRange<std::uint64_t>(0, 200), rc::gen::arbitrary<std::uint64_t>(),
                   rc::gen::arbitrary<bool>(), rc::gen::inRange<std::uint32_t>(0, 4),
                   rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint64_t>()));
  });
}

// Every entry, in for_each order.
inline std::vector<StateEntry> entries_of(const KeyedStateBackend& backend) {
  std::vector<StateEntry> out;
  backend.for_each([&](std::uint64_t key, std::uint32_t name_space, StateValue value) {
    out.push_back(StateEntry{key, name_space, value});
  });
  return out;
}

// The expected content after putting `entries` in order (last write wins).
inline EntryMap model_of(const std::vector<StateEntry>& entries) {
  EntryMap model;
  for (const StateEntry& e : entries) model[{e.key, e.name_space}] = e.value;
  return model;
}

inline void put_all(KeyedStateBackend& backend, const std::vector<StateEntry>& entries) {
  for (const StateEntry& e : entries) backend.put(e.key, e.name_space, e.value);
}

// Recomputes every section CRC and the whole-file CRC of a version-1 snapshot whose
// counts are intact, so a test can reach the structural checks behind the CRCs.
inline void reseal_snapshot(Bytes& bytes) {
  CKPT_ASSERT(bytes.size() >= kKeyedSnapshotHeaderBytes + kKeyedSnapshotFooterBytes, "reseal a whole snapshot");
  const std::uint32_t sections = load_le32(bytes.data() + 28);
  std::size_t position = kKeyedSnapshotHeaderBytes;
  for (std::uint32_t i = 0; i < sections; ++i) {
    const std::uint32_t count = load_le32(bytes.data() + position + 4);
    const std::size_t body = 8 + std::size_t{count} * kKeyedSnapshotEntryBytes;
    store_le32(bytes.data() + position + body, crc32c(std::span<const std::uint8_t>(bytes.data() + position, body)));
    position += body + 4;
  }
  const std::size_t footer = bytes.size() - kKeyedSnapshotFooterBytes;
  store_le32(bytes.data() + footer, crc32c(std::span<const std::uint8_t>(bytes.data(), footer)));
}

}  // namespace ckptsim::test
