#include "protocol/state/memory_state_backend.h"

#include <algorithm>
#include <string>

#include "protocol/base/assert.h"
#include "protocol/state/entry_sort.h"

namespace ckptsim {

MemoryStateBackend::MemoryStateBackend(std::uint32_t max_parallelism, KeyGroupRange range,
                                       const StateBackendHooks* hooks)
    : max_parallelism_(max_parallelism), range_(range), hooks_(hooks) {
  CKPT_ASSERT(max_parallelism >= 1, "max parallelism must be at least 1");
  CKPT_ASSERT(max_parallelism <= kMaxParallelismUpperBound, "max parallelism above the upper bound");
  CKPT_ASSERT(range.start <= range.end_inclusive, "a key group range is never empty");
  CKPT_ASSERT(range.end_inclusive < max_parallelism, "the key group range lies inside [0, max parallelism)");
  tables_.resize(range.size());
}

FlatEntryTable& MemoryStateBackend::table_for(std::uint64_t key, std::uint64_t& key_hash) {
  // Exactly key_group_for_key(key, max_parallelism_), unfolded so that the mixed hash
  // is computed once and reused for the table lookup.
  key_hash = mix_key_hash(key);
  const auto key_group = static_cast<std::uint32_t>(key_hash % max_parallelism_);
  CKPT_ASSERT(range_.contains(key_group), "key routed to a backend that does not own its key group");
  return tables_[key_group - range_.start];
}

std::optional<StateValue> MemoryStateBackend::get(std::uint64_t key, std::uint32_t name_space) {
  std::uint64_t key_hash = 0;
  const FlatEntryTable& table = table_for(key, key_hash);
  const StateValue* value = table.find(key, name_space, key_hash);
  if (value == nullptr) return std::nullopt;
  return *value;
}

void MemoryStateBackend::put(std::uint64_t key, std::uint32_t name_space, StateValue value) {
  std::uint64_t key_hash = 0;
  FlatEntryTable& table = table_for(key, key_hash);
  if (table.insert_or_assign(key, name_space, key_hash, value)) ++entry_count_;
}

void MemoryStateBackend::remove(std::uint64_t key, std::uint32_t name_space) {
  std::uint64_t key_hash = 0;
  FlatEntryTable& table = table_for(key, key_hash);
  if (table.erase(key, name_space, key_hash)) {
    CKPT_ASSERT(entry_count_ > 0, "entry count covers the removed entry");
    --entry_count_;
  }
}

void MemoryStateBackend::sorted_entries(std::size_t table_index, std::vector<StateEntry>& out,
                                        std::vector<StateEntry>& scratch) const {
  out.clear();
  tables_[table_index].append_entries(out);
  sort_entries(out, scratch);
}

void MemoryStateBackend::for_each(const EntryVisitor& visit) const {
  std::vector<StateEntry> entries;
  std::vector<StateEntry> scratch;
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].empty()) continue;
    sorted_entries(i, entries, scratch);
    for (const StateEntry& entry : entries) visit(entry.key, entry.name_space, entry.value);
  }
}

Result<Bytes> MemoryStateBackend::snapshot() {
  if (hooks_ != nullptr && hooks_->before_snapshot) {
    if (Status status = hooks_->before_snapshot(); !status.is_ok()) return status;
  }
  std::uint32_t section_count = 0;
  std::size_t largest_table = 0;
  for (const FlatEntryTable& table : tables_) {
    if (table.empty()) continue;
    ++section_count;
    largest_table = std::max(largest_table, table.size());
  }
  KeyedSnapshotWriter writer(max_parallelism_, range_, section_count, entry_count_);
  std::vector<StateEntry> entries;
  std::vector<StateEntry> scratch;
  entries.reserve(largest_table);
  scratch.reserve(largest_table);
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].empty()) continue;
    sorted_entries(i, entries, scratch);
    writer.add_section(range_.start + static_cast<std::uint32_t>(i), entries);
  }
  Bytes bytes = std::move(writer).finish();
  if (hooks_ != nullptr && hooks_->after_snapshot_bytes) hooks_->after_snapshot_bytes(bytes);
  return bytes;
}

void MemoryStateBackend::clear() {
  for (FlatEntryTable& table : tables_) table.clear();
  entry_count_ = 0;
}

Status MemoryStateBackend::restore(const std::vector<Bytes>& snapshots) {
  clear();
  if (hooks_ != nullptr && hooks_->before_restore) {
    if (Status status = hooks_->before_restore(); !status.is_ok()) return status;
  }
  Result<std::vector<KeyedSnapshotView>> views = parse_snapshots_for_restore(snapshots, max_parallelism_);
  if (!views.is_ok()) return views.status();
  return restore_from(views.value());
}

Status MemoryStateBackend::restore_from(const std::vector<KeyedSnapshotView>& views) {
  std::vector<std::uint8_t> claimed(tables_.size(), 0);
  for (std::size_t i = 0; i < views.size(); ++i) {
    for (const KeyedSnapshotSection& section : views[i].sections()) {
      if (!range_.contains(section.key_group)) continue;
      std::uint8_t& seen = claimed[section.key_group - range_.start];
      if (seen != 0) {
        return Status::invalid_argument("key group " + std::to_string(section.key_group) +
                                        " appears in more than one snapshot (snapshot " + std::to_string(i + 1) + ")");
      }
      seen = 1;
    }
  }
  for (const KeyedSnapshotView& view : views) {
    for (const KeyedSnapshotSection& section : view.sections()) {
      if (!range_.contains(section.key_group)) continue;
      FlatEntryTable& table = tables_[section.key_group - range_.start];
      CKPT_ASSERT(table.empty(), "each key group is restored from one section");
      table.reserve(section.entry_count);
      for (std::uint32_t j = 0; j < section.entry_count; ++j) {
        const StateEntry entry = view.entry(section, j);
        const bool inserted = table.insert_or_assign(entry.key, entry.name_space, mix_key_hash(entry.key), entry.value);
        CKPT_ASSERT(inserted, "a verified section holds no duplicate entries");
      }
      entry_count_ += section.entry_count;
    }
  }
  return Status::ok();
}

std::unique_ptr<KeyedStateBackend> make_memory_state_backend(std::uint32_t max_parallelism, KeyGroupRange range,
                                                             const StateBackendHooks* hooks) {
  return std::make_unique<MemoryStateBackend>(max_parallelism, range, hooks);
}

}  // namespace ckptsim
