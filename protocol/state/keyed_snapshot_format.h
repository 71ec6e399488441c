// The binary format of a keyed state snapshot, version 1.
//
// A snapshot holds the entries of one state backend, grouped by key group, so that it
// can be restored at another parallelism: each restoring backend keeps the key groups
// of its own range. All integers are little-endian; CRCs are CRC-32C (crc32c.h).
//
//   offset  size  field
//   0       4     magic "CKKS" (bytes 43 4B 4B 53)
//   4       4     format version (kKeyedSnapshotVersion)
//   8       8     total length of the snapshot in bytes, footer included
//   16      4     max parallelism (number of key groups), 1..kMaxParallelismUpperBound
//   20      4     first key group of the range the snapshot was taken for
//   24      4     last key group of that range (inclusive)
//   28      4     section count (non-empty key groups), at most the range's size
//   32      8     entry count (sum over all sections)
//   40      ...   sections, key groups strictly increasing, each:
//                   4   key group (inside the header's range)
//                   4   entry count, >= 1 (empty key groups have no section)
//                   28 * entry count: entries strictly increasing by (key, name space):
//                       8 key, 4 name space, 8 value.a, 8 value.b
//                   4   section CRC over the section's bytes above
//   end-4   4     whole-file CRC over every byte before it
//
// Why both CRCs: the whole-file CRC rejects truncation, appended bytes and damage to
// the header with certainty for any error burst of up to 32 bits; the section CRCs
// name the damaged key group in the error and let a future reader verify only the key
// groups it restores. There is no padding and no unused byte: every byte is covered
// by the whole-file CRC and by a structural check, so a flip anywhere is rejected.
//
// A reader refuses (kCorruption, with a message saying what and where) a snapshot
// with a wrong magic, an unknown version (the message names it), a length that
// differs from the header's, a CRC mismatch, a key group out of range or out of
// order, an empty section, unsorted or duplicate entries, or a key whose key group is
// not its section's. It never exposes an entry of a snapshot that failed any check.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"
#include "protocol/graph/key_groups.h"
#include "protocol/state/state_value.h"

namespace ckptsim {

inline constexpr std::uint32_t kKeyedSnapshotMagic = 0x534B4B43u;  // "CKKS" in little-endian
inline constexpr std::uint32_t kKeyedSnapshotVersion = 1;
inline constexpr std::size_t kKeyedSnapshotHeaderBytes = 40;
inline constexpr std::size_t kKeyedSnapshotFooterBytes = 4;
inline constexpr std::size_t kKeyedSnapshotSectionOverheadBytes = 12;  // key group, count, CRC
inline constexpr std::size_t kKeyedSnapshotEntryBytes = 28;

// The exact encoded size of a snapshot with these many sections and entries.
inline std::size_t keyed_snapshot_size(std::size_t section_count, std::size_t entry_count) {
  return kKeyedSnapshotHeaderBytes + section_count * kKeyedSnapshotSectionOverheadBytes +
         entry_count * kKeyedSnapshotEntryBytes + kKeyedSnapshotFooterBytes;
}

// Encodes one snapshot. The caller announces the section and entry counts up front so
// that the buffer is allocated once and the whole-file CRC is computed while each
// section is still in cache.
//
// Preconditions (asserted): add_section is called exactly section_count times with
// strictly increasing key groups inside `range`, each with a non-empty run of entries
// strictly increasing by (key, name space), entry counts summing to entry_count;
// then finish() once.
class KeyedSnapshotWriter {
 public:
  KeyedSnapshotWriter(std::uint32_t max_parallelism, KeyGroupRange range, std::uint32_t section_count,
                      std::uint64_t entry_count);

  void add_section(std::uint32_t key_group, std::span<const StateEntry> sorted_entries);
  Bytes finish() &&;

 private:
  std::uint32_t max_parallelism_;
  KeyGroupRange range_;
  std::uint32_t sections_expected_;
  std::uint64_t entries_expected_;
  std::uint32_t sections_written_ = 0;
  std::uint64_t entries_written_ = 0;
  std::int64_t last_key_group_ = -1;
  std::uint32_t file_crc_ = 0;
  Bytes bytes_;
};

// Where one key group's entries lie inside a verified snapshot.
struct KeyedSnapshotSection {
  std::uint32_t key_group = 0;
  std::uint32_t entry_count = 0;
  std::size_t entries_offset = 0;  // byte offset of the first entry
};

// A snapshot that passed every check of the format; a view into bytes it does not own
// (they must outlive it). Only parse() creates one, so holding a KeyedSnapshotView
// means its entries are safe to restore.
class KeyedSnapshotView {
 public:
  static Result<KeyedSnapshotView> parse(std::span<const std::uint8_t> bytes);

  std::uint32_t max_parallelism() const { return max_parallelism_; }
  KeyGroupRange key_group_range() const { return range_; }
  std::uint64_t entry_count() const { return entry_count_; }
  const std::vector<KeyedSnapshotSection>& sections() const { return sections_; }

  // The index-th entry of a section. Precondition: index < section.entry_count.
  StateEntry entry(const KeyedSnapshotSection& section, std::uint32_t index) const;

 private:
  KeyedSnapshotView() = default;
  Status parse_header();
  Status parse_sections();
  Status verify_section_entries(const KeyedSnapshotSection& section) const;

  std::span<const std::uint8_t> bytes_;
  std::uint32_t max_parallelism_ = 0;
  KeyGroupRange range_;
  std::uint32_t section_count_ = 0;
  std::uint64_t entry_count_ = 0;
  std::vector<KeyedSnapshotSection> sections_;
};

// Parses every snapshot a restore is given, completely, before a backend touches its
// tables (so a corrupt one never leaves a partial restore behind), and checks that each
// was taken with `max_parallelism` key groups. Errors name the snapshot ("snapshot 2 of
// 3: ..."). The views point into `snapshots`, which must outlive them.
Result<std::vector<KeyedSnapshotView>> parse_snapshots_for_restore(const std::vector<Bytes>& snapshots,
                                                                   std::uint32_t max_parallelism);

}  // namespace ckptsim
