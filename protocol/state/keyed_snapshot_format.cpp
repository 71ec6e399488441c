#include "protocol/state/keyed_snapshot_format.h"

#include <cstdio>
#include <string>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"

namespace ckptsim {
namespace {

std::string hex32(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08x", value);
  return buffer;
}

std::span<const std::uint8_t> byte_range(const std::uint8_t* begin, std::size_t length) { return {begin, length}; }

}  // namespace

// --- writer ---

KeyedSnapshotWriter::KeyedSnapshotWriter(std::uint32_t max_parallelism, KeyGroupRange range,
                                         std::uint32_t section_count, std::uint64_t entry_count)
    : max_parallelism_(max_parallelism),
      range_(range),
      sections_expected_(section_count),
      entries_expected_(entry_count) {
  CKPT_ASSERT(max_parallelism >= 1, "max parallelism must be at least 1");
  CKPT_ASSERT(max_parallelism <= kMaxParallelismUpperBound, "max parallelism above the upper bound");
  CKPT_ASSERT(range.start <= range.end_inclusive, "a key group range is never empty");
  CKPT_ASSERT(range.end_inclusive < max_parallelism, "the key group range lies inside [0, max parallelism)");
  CKPT_ASSERT(section_count <= range.size(), "at most one section per key group of the range");
  CKPT_ASSERT(entry_count >= section_count, "every section holds at least one entry");
  bytes_.resize(keyed_snapshot_size(section_count, entry_count));
  std::uint8_t* header = bytes_.data();
  store_le32(header + 0, kKeyedSnapshotMagic);
  store_le32(header + 4, kKeyedSnapshotVersion);
  store_le64(header + 8, bytes_.size());
  store_le32(header + 16, max_parallelism);
  store_le32(header + 20, range.start);
  store_le32(header + 24, range.end_inclusive);
  store_le32(header + 28, section_count);
  store_le64(header + 32, entry_count);
  file_crc_ = crc32c(byte_range(header, kKeyedSnapshotHeaderBytes));
}

void KeyedSnapshotWriter::add_section(std::uint32_t key_group, std::span<const StateEntry> sorted_entries) {
  CKPT_ASSERT(sections_written_ < sections_expected_, "more sections than announced");
  CKPT_ASSERT(range_.contains(key_group), "a section's key group lies in the snapshot's range");
  CKPT_ASSERT(static_cast<std::int64_t>(key_group) > last_key_group_, "sections come in increasing key group order");
  CKPT_ASSERT(!sorted_entries.empty(), "empty key groups have no section");
  CKPT_ASSERT(sorted_entries.size() <= entries_expected_ - entries_written_, "more entries than announced");
  const std::size_t section_bytes = 8 + sorted_entries.size() * kKeyedSnapshotEntryBytes;
  const std::size_t offset = kKeyedSnapshotHeaderBytes + sections_written_ * kKeyedSnapshotSectionOverheadBytes +
                             entries_written_ * kKeyedSnapshotEntryBytes;
  std::uint8_t* const section = bytes_.data() + offset;
  store_le32(section, key_group);
  store_le32(section + 4, static_cast<std::uint32_t>(sorted_entries.size()));
  std::uint8_t* out = section + 8;
  const StateEntry* previous = nullptr;
  for (const StateEntry& entry : sorted_entries) {
    CKPT_ASSERT(previous == nullptr || entry_order_less(*previous, entry), "section entries are strictly sorted");
    store_le64(out, entry.key);
    store_le32(out + 8, entry.name_space);
    store_le64(out + 12, entry.value.a);
    store_le64(out + 20, entry.value.b);
    out += kKeyedSnapshotEntryBytes;
    previous = &entry;
  }
  store_le32(out, crc32c(byte_range(section, section_bytes)));
  file_crc_ = crc32c_extend(file_crc_, byte_range(section, section_bytes + 4));
  ++sections_written_;
  entries_written_ += sorted_entries.size();
  last_key_group_ = key_group;
}

Bytes KeyedSnapshotWriter::finish() && {
  CKPT_ASSERT(sections_written_ == sections_expected_, "fewer sections than announced");
  CKPT_ASSERT(entries_written_ == entries_expected_, "fewer entries than announced");
  const std::size_t footer = bytes_.size() - kKeyedSnapshotFooterBytes;
  store_le32(bytes_.data() + footer, file_crc_);
  return std::move(bytes_);
}

// --- reader ---

Result<KeyedSnapshotView> KeyedSnapshotView::parse(std::span<const std::uint8_t> bytes) {
  KeyedSnapshotView view;
  view.bytes_ = bytes;
  if (Status status = view.parse_header(); !status.is_ok()) return status;
  if (Status status = view.parse_sections(); !status.is_ok()) return status;
  return view;
}

Status KeyedSnapshotView::parse_header() {
  const std::uint8_t* const b = bytes_.data();
  const std::size_t size = bytes_.size();
  // Magic and version first: a later version may lay out everything after them
  // differently, so nothing else can be interpreted until the version is known.
  if (size < 8) {
    return Status::corruption("truncated keyed snapshot: " + std::to_string(size) +
                              " bytes, too short for its magic and version");
  }
  if (const std::uint32_t magic = load_le32(b); magic != kKeyedSnapshotMagic) {
    return Status::corruption("not a keyed state snapshot: bad magic " + hex32(magic));
  }
  if (const std::uint32_t version = load_le32(b + 4); version != kKeyedSnapshotVersion) {
    return Status::corruption("unsupported keyed snapshot version " + std::to_string(version) +
                              " (this build reads version " + std::to_string(kKeyedSnapshotVersion) + ")");
  }
  if (size < kKeyedSnapshotHeaderBytes + kKeyedSnapshotFooterBytes) {
    return Status::corruption("truncated keyed snapshot: " + std::to_string(size) + " bytes, shorter than its header");
  }
  if (const std::uint64_t total = load_le64(b + 8); total != size) {
    return Status::corruption("keyed snapshot length mismatch: the header says " + std::to_string(total) +
                              " bytes, the snapshot has " + std::to_string(size) + " (truncated or extended)");
  }
  const std::uint32_t stored_crc = load_le32(b + size - kKeyedSnapshotFooterBytes);
  const std::uint32_t computed_crc = crc32c(byte_range(b, size - kKeyedSnapshotFooterBytes));
  if (stored_crc != computed_crc) {
    return Status::corruption("keyed snapshot checksum mismatch: stored " + hex32(stored_crc) + ", computed " +
                              hex32(computed_crc));
  }
  max_parallelism_ = load_le32(b + 16);
  range_ = KeyGroupRange{load_le32(b + 20), load_le32(b + 24)};
  section_count_ = load_le32(b + 28);
  entry_count_ = load_le64(b + 32);
  if (max_parallelism_ < 1 || max_parallelism_ > kMaxParallelismUpperBound) {
    return Status::corruption("keyed snapshot has invalid max parallelism " + std::to_string(max_parallelism_));
  }
  if (range_.start > range_.end_inclusive || range_.end_inclusive >= max_parallelism_) {
    return Status::corruption("keyed snapshot has invalid key group range [" + std::to_string(range_.start) + ", " +
                              std::to_string(range_.end_inclusive) + "]");
  }
  if (section_count_ > range_.size() || entry_count_ < section_count_ ||
      entry_count_ > (size - kKeyedSnapshotHeaderBytes) / kKeyedSnapshotEntryBytes ||
      keyed_snapshot_size(section_count_, entry_count_) != size) {
    return Status::corruption("keyed snapshot counts (" + std::to_string(section_count_) + " sections, " +
                              std::to_string(entry_count_) + " entries) do not match its length " +
                              std::to_string(size));
  }
  return Status::ok();
}

Status KeyedSnapshotView::parse_sections() {
  const std::uint8_t* const b = bytes_.data();
  const std::size_t sections_end = bytes_.size() - kKeyedSnapshotFooterBytes;
  std::size_t position = kKeyedSnapshotHeaderBytes;
  std::uint64_t entries_seen = 0;
  std::int64_t last_key_group = -1;
  sections_.reserve(section_count_);
  for (std::uint32_t i = 0; i < section_count_; ++i) {
    if (sections_end - position < kKeyedSnapshotSectionOverheadBytes) {
      return Status::corruption("keyed snapshot section " + std::to_string(i) + " is truncated");
    }
    KeyedSnapshotSection section{load_le32(b + position), load_le32(b + position + 4), position + 8};
    const std::string where = "keyed snapshot section " + std::to_string(i) + " (key group " +
                              std::to_string(section.key_group) + ")";
    if (!range_.contains(section.key_group) || static_cast<std::int64_t>(section.key_group) <= last_key_group) {
      return Status::corruption(where + " is outside the range or out of order");
    }
    const std::size_t available = (sections_end - position - kKeyedSnapshotSectionOverheadBytes);
    if (section.entry_count == 0 || section.entry_count > available / kKeyedSnapshotEntryBytes) {
      return Status::corruption(where + " has an invalid entry count " + std::to_string(section.entry_count));
    }
    const std::size_t body_bytes = 8 + std::size_t{section.entry_count} * kKeyedSnapshotEntryBytes;
    const std::uint32_t stored_crc = load_le32(b + position + body_bytes);
    if (stored_crc != crc32c(byte_range(b + position, body_bytes))) {
      return Status::corruption(where + " checksum mismatch");
    }
    if (Status status = verify_section_entries(section); !status.is_ok()) {
      return Status::corruption(where + ": " + status.message());
    }
    sections_.push_back(section);
    entries_seen += section.entry_count;
    last_key_group = section.key_group;
    position += body_bytes + 4;
  }
  if (position != sections_end || entries_seen != entry_count_) {
    return Status::corruption("keyed snapshot sections end at offset " + std::to_string(position) + " with " +
                              std::to_string(entries_seen) + " entries, expected offset " +
                              std::to_string(sections_end) + " with " + std::to_string(entry_count_));
  }
  return Status::ok();
}

Status KeyedSnapshotView::verify_section_entries(const KeyedSnapshotSection& section) const {
  StateEntry previous;
  for (std::uint32_t i = 0; i < section.entry_count; ++i) {
    const StateEntry current = entry(section, i);
    if (key_group_for_key(current.key, max_parallelism_) != section.key_group) {
      return Status::corruption("entry " + std::to_string(i) + " has key " + std::to_string(current.key) +
                                " of another key group");
    }
    if (i > 0 && !entry_order_less(previous, current)) {
      return Status::corruption("entry " + std::to_string(i) + " is out of order or duplicate");
    }
    previous = current;
  }
  return Status::ok();
}

StateEntry KeyedSnapshotView::entry(const KeyedSnapshotSection& section, std::uint32_t index) const {
  CKPT_ASSERT(index < section.entry_count, "entry index inside its section");
  const std::uint8_t* in = bytes_.data() + section.entries_offset + std::size_t{index} * kKeyedSnapshotEntryBytes;
  return StateEntry{load_le64(in), load_le32(in + 8), StateValue{load_le64(in + 12), load_le64(in + 20)}};
}

Result<std::vector<KeyedSnapshotView>> parse_snapshots_for_restore(const std::vector<Bytes>& snapshots,
                                                                   std::uint32_t max_parallelism) {
  std::vector<KeyedSnapshotView> views;
  views.reserve(snapshots.size());
  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    const std::string which = "snapshot " + std::to_string(i + 1) + " of " + std::to_string(snapshots.size());
    Result<KeyedSnapshotView> view = KeyedSnapshotView::parse(snapshots[i]);
    if (!view.is_ok()) return Status::error(view.status().code(), which + ": " + view.status().message());
    if (view.value().max_parallelism() != max_parallelism) {
      return Status::invalid_argument(which + " was taken with max parallelism " +
                                      std::to_string(view.value().max_parallelism()) + ", this backend has " +
                                      std::to_string(max_parallelism));
    }
    views.push_back(std::move(view).value());
  }
  return views;
}

}  // namespace ckptsim
