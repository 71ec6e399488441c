// The in-memory keyed state backend (Flink's HashMapStateBackend): the fast default
// for simulation. One FlatEntryTable per key group of the range; snapshots and
// for_each sort each key group's entries, so hash-table order never leaks.
//
// Fault hooks: StateBackendHooks lets the fault layer perturb snapshots and restores
// without the backend knowing any fault catalogue. The hooks object is not owned and
// must outlive the backend; a null pointer or an empty function means "no hook".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "protocol/state/flat_entry_table.h"
#include "protocol/state/keyed_snapshot_format.h"
#include "protocol/state/keyed_state_backend.h"

namespace ckptsim {

struct StateBackendHooks {
  // Runs at the start of snapshot(); a non-ok Status fails the snapshot with it
  // (the synchronous phase failed: the task declines the checkpoint).
  std::function<Status()> before_snapshot;
  // Runs on the encoded bytes before snapshot() returns them; may change them (e.g.
  // flip a bit, truncate) to model corruption in memory before the upload. A later
  // restore must then reject the bytes.
  std::function<void(Bytes&)> after_snapshot_bytes;
  // Runs at the start of restore(); a non-ok Status fails the restore with it and
  // leaves the backend empty (e.g. a failure while reading state back).
  std::function<Status()> before_restore;
};

// MemoryStateBackend: the implementation behind make_memory_state_backend, exposed so
// that benchmarks and tests can call it without the virtual dispatch.
// Invariants:
//  1. tables_[i] holds exactly the entries of key group range_.start + i.
//  2. entry_count_ == the sum of the tables' sizes.
//  3. After a failed restore every table is empty.
class MemoryStateBackend final : public KeyedStateBackend {
 public:
  // Preconditions: as make_memory_state_backend below.
  MemoryStateBackend(std::uint32_t max_parallelism, KeyGroupRange range, const StateBackendHooks* hooks);

  KeyGroupRange key_group_range() const override { return range_; }
  std::uint32_t max_parallelism() const override { return max_parallelism_; }
  std::optional<StateValue> get(std::uint64_t key, std::uint32_t name_space) override;
  void put(std::uint64_t key, std::uint32_t name_space, StateValue value) override;
  void remove(std::uint64_t key, std::uint32_t name_space) override;
  std::size_t entry_count() const override { return entry_count_; }
  void for_each(const EntryVisitor& visit) const override;
  Result<Bytes> snapshot() override;
  Status restore(const std::vector<Bytes>& snapshots) override;

 private:
  // The table of `key`'s key group; sets key_hash to mix_key_hash(key).
  FlatEntryTable& table_for(std::uint64_t key, std::uint64_t& key_hash);
  void sorted_entries(std::size_t table_index, std::vector<StateEntry>& out, std::vector<StateEntry>& scratch) const;
  void clear();
  Status restore_from(const std::vector<KeyedSnapshotView>& views);

  std::uint32_t max_parallelism_;
  KeyGroupRange range_;
  const StateBackendHooks* hooks_;  // not owned; may be null
  std::vector<FlatEntryTable> tables_;
  std::size_t entry_count_ = 0;
};

// Preconditions (asserted): 1 <= max_parallelism <= kMaxParallelismUpperBound and
// range.end_inclusive < max_parallelism.
std::unique_ptr<KeyedStateBackend> make_memory_state_backend(std::uint32_t max_parallelism, KeyGroupRange range,
                                                             const StateBackendHooks* hooks = nullptr);

}  // namespace ckptsim
