// KeyedStateBackend: the keyed state of one operator subtask (Flink's
// KeyedStateBackend, simplified to fixed-size values).
//
// Entries are addressed by (key, name_space) and hold a StateValue. Every key belongs
// to a key group (key_groups.h); a backend owns one contiguous key group range and
// only keys of that range may be touched: routing a key to the wrong subtask is a
// programmer error and asserts.
//
// Contract:
//  * Determinism: for_each() and snapshot() depend only on the set of entries, never on
//    insertion order or hash-table layout: both go by key group, then key, then name
//    space, and the same entries give byte-identical snapshots.
//  * snapshot() is the synchronous phase of a checkpoint: it returns a complete,
//    self-contained copy (keyed_snapshot_format.h); later writes never change it. It may
//    fail (then the task declines the checkpoint), e.g. by an injected fault.
//  * restore() replaces the whole content with the entries of the given snapshots whose
//    key group lies in this backend's range: one snapshot to restore at the same
//    parallelism, several to scale in, and a snapshot of a wider range to scale out.
//    If any snapshot is corrupt (kCorruption), was taken with another max parallelism
//    (kInvalidArgument) or two snapshots hold the same key group (kInvalidArgument),
//    nothing is restored and the backend is left empty.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"
#include "protocol/graph/key_groups.h"
#include "protocol/state/state_value.h"

namespace ckptsim {

class KeyedStateBackend {
 public:
  using EntryVisitor = std::function<void(std::uint64_t key, std::uint32_t name_space, StateValue value)>;

  virtual ~KeyedStateBackend() = default;

  virtual KeyGroupRange key_group_range() const = 0;
  virtual std::uint32_t max_parallelism() const = 0;

  // Preconditions for get/put/remove (asserted): the key's key group is in range.
  virtual std::optional<StateValue> get(std::uint64_t key, std::uint32_t name_space) = 0;
  virtual void put(std::uint64_t key, std::uint32_t name_space, StateValue value) = 0;
  // Removing an absent entry does nothing.
  virtual void remove(std::uint64_t key, std::uint32_t name_space) = 0;

  virtual std::size_t entry_count() const = 0;
  // Visits all entries by key group, then key, then name space; never hash-map order.
  // The visitor must not modify the backend.
  virtual void for_each(const EntryVisitor& visit) const = 0;

  // The synchronous snapshot phase: the serialized entries, a copy.
  virtual Result<Bytes> snapshot() = 0;
  // Replaces the content with the in-range entries of `snapshots` (see above).
  virtual Status restore(const std::vector<Bytes>& snapshots) = 0;
};

}  // namespace ckptsim
