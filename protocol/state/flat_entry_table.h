// FlatEntryTable: an open-addressing hash table from (key, name_space) to StateValue,
// the storage of one key group in the memory state backend.
//
// Linear probing over a power-of-two array of inline 32-byte slots, so a lookup
// usually touches one cache line; deletion shifts later entries of the probe run back
// (Knuth's algorithm R), so there are no tombstones and probe runs never degrade.
// The caller passes the key's mixed hash (mix_key_hash), which it already computed to
// find the key group, so the key is hashed once per lookup. Precondition of every
// call taking key_hash: key_hash == mix_key_hash(key).
//
// Invariants:
//  1. capacity is 0 or a power of two >= kMinCapacity; size * 4 <= capacity * 3.
//  2. Every entry lies in the probe run that starts at its home slot: no empty slot
//     between its home slot and its position (cyclically).
//  3. No two occupied slots hold the same (key, name_space).
//  4. Iteration (append_entries) goes in slot order, which depends on the history of
//     inserts: callers that need determinism sort (the backend does).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/graph/key_groups.h"
#include "protocol/state/state_value.h"

namespace ckptsim {

class FlatEntryTable {
 public:
  static constexpr std::size_t kMinCapacity = 8;
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 31;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return slots_.size(); }

  const StateValue* find(std::uint64_t key, std::uint32_t name_space, std::uint64_t key_hash) const {
    if (size_ == 0) return nullptr;
    for (std::size_t i = home(key_hash, name_space);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.occupied) return nullptr;
      if (slot.key == key && slot.name_space == name_space) return &slot.value;
    }
  }

  // Inserts or overwrites. Returns true if the entry is new.
  bool insert_or_assign(std::uint64_t key, std::uint32_t name_space, std::uint64_t key_hash, StateValue value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    for (std::size_t i = home(key_hash, name_space);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.occupied) {
        slot = Slot{key, name_space, 1, value};
        ++size_;
        return true;
      }
      if (slot.key == key && slot.name_space == name_space) {
        slot.value = value;
        return false;
      }
    }
  }

  // Returns true if an entry was removed.
  bool erase(std::uint64_t key, std::uint32_t name_space, std::uint64_t key_hash) {
    if (size_ == 0) return false;
    for (std::size_t i = home(key_hash, name_space);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.occupied) return false;
      if (slot.key == key && slot.name_space == name_space) {
        erase_slot(i);
        return true;
      }
    }
  }

  // Makes room for `count` entries in total without further growth.
  void reserve(std::size_t count) {
    std::size_t capacity = slots_.empty() ? kMinCapacity : slots_.size();
    while (count * 4 > capacity * 3) capacity *= 2;
    if (capacity != slots_.size()) rehash(capacity);
  }

  void clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    mask_ = 0;
    size_ = 0;
  }

  // Appends every entry, in slot order (not deterministic across histories).
  void append_entries(std::vector<StateEntry>& out) const {
    for (const Slot& slot : slots_) {
      if (slot.occupied) out.push_back(StateEntry{slot.key, slot.name_space, slot.value});
    }
  }

 private:
  // 32 bytes: two slots per cache line. The key's hash is not stored; growth and
  // deletion recompute it (three multiplications) instead.
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t name_space = 0;
    std::uint32_t occupied = 0;
    StateValue value;
  };
  static_assert(sizeof(Slot) == 32, "slots stay 32 bytes");

  std::size_t home_of(const Slot& slot) const { return home(mix_key_hash(slot.key), slot.name_space); }

  // Fibonacci hashing of (key hash, name space): the top bits of the product depend
  // on every bit of the input, including the bits shared by all keys of one key group.
  std::size_t home(std::uint64_t key_hash, std::uint32_t name_space) const {
    const std::uint64_t salted = key_hash ^ (std::uint64_t{name_space} * 0xC2B2AE3D27D4EB4FULL);
    const std::uint64_t mixed = salted * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(mixed >> shift_);
  }

  void grow() { rehash(slots_.empty() ? kMinCapacity : slots_.size() * 2); }

  void rehash(std::size_t capacity) {
    CKPT_ASSERT(capacity <= kMaxCapacity, "a key group's table exceeds its bound");
    CKPT_ASSERT(capacity >= kMinCapacity, "table capacity at least the minimum");
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (const Slot& slot : old) {
      if (!slot.occupied) continue;
      std::size_t i = home_of(slot);
      while (slots_[i].occupied) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  void erase_slot(std::size_t hole) {
    CKPT_ASSERT(slots_[hole].occupied, "erasing an occupied slot");
    for (std::size_t j = (hole + 1) & mask_; slots_[j].occupied; j = (j + 1) & mask_) {
      const std::size_t k = home_of(slots_[j]);
      // The entry at j may stay if its home k lies cyclically in (hole, j].
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole] = Slot{};
    --size_;
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace ckptsim
