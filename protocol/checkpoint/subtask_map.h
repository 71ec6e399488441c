// SubtaskMap<T>: a map from subtask index to T, stored as one vector of (subtask, T)
// pairs in increasing subtask order (a flat map).
//
// Why not std::map: a completed checkpoint holds one state handle and one metrics entry
// per subtask, built once in subtask order when the checkpoint is finalized and then only
// read (serialized, iterated, looked up). A vector builds that with one allocation
// instead of one per subtask and iterates contiguously; the coordinator's finalization
// of a checkpoint of 10 000 subtasks spent most of its time allocating map nodes.
//
// The interface is the part of std::map the code uses, with the same meaning:
// begin/end iterate (subtask, value) pairs in increasing subtask order; emplace inserts
// only an absent key; operator[] inserts a default value; at() requires the key.
//
// Invariants:
//  * keys strictly increase along the vector (so each subtask appears at most once and
//    iteration order is deterministic, independent of insertion order);
//  * appending a key above every present one costs O(1) (amortized); inserting below
//    one shifts the tail (O(n)), which only tests and out-of-order readers do.
// Callers may change the values through non-const iterators, never the keys (the
// vector's pairs cannot enforce that; changing a key breaks the order invariant).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "protocol/base/assert.h"

namespace ckptsim {

template <typename T>
class SubtaskMap {
 public:
  using key_type = std::uint32_t;
  using mapped_type = T;
  using value_type = std::pair<std::uint32_t, T>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void reserve(std::size_t n) { entries_.reserve(n); }
  void clear() { entries_.clear(); }

  iterator find(std::uint32_t subtask) {
    auto it = lower_bound(subtask);
    return it != entries_.end() && it->first == subtask ? it : entries_.end();
  }
  const_iterator find(std::uint32_t subtask) const {
    auto it = lower_bound(subtask);
    return it != entries_.end() && it->first == subtask ? it : entries_.end();
  }
  std::size_t count(std::uint32_t subtask) const { return find(subtask) != end() ? 1 : 0; }
  bool contains(std::uint32_t subtask) const { return find(subtask) != end(); }

  // Precondition: the subtask is present (asserted; std::map would throw).
  T& at(std::uint32_t subtask) {
    auto it = find(subtask);
    CKPT_ASSERT(it != entries_.end(), "SubtaskMap::at of an absent subtask");
    return it->second;
  }
  const T& at(std::uint32_t subtask) const {
    auto it = find(subtask);
    CKPT_ASSERT(it != entries_.end(), "SubtaskMap::at of an absent subtask");
    return it->second;
  }

  T& operator[](std::uint32_t subtask) { return emplace(subtask, T{}).first->second; }

  // Inserts (subtask, value) unless the subtask is present; returns where it is and
  // whether it was inserted, as std::map::emplace does.
  template <typename Value>
  std::pair<iterator, bool> emplace(std::uint32_t subtask, Value&& value) {
    if (entries_.empty() || entries_.back().first < subtask) {
      entries_.emplace_back(subtask, std::forward<Value>(value));
      return {entries_.end() - 1, true};
    }
    auto it = lower_bound(subtask);
    if (it->first == subtask) return {it, false};  // it != end: the back key is >= subtask
    return {entries_.emplace(it, subtask, std::forward<Value>(value)), true};
  }

  friend bool operator==(const SubtaskMap&, const SubtaskMap&) = default;

 private:
  iterator lower_bound(std::uint32_t subtask) {
    return std::lower_bound(entries_.begin(), entries_.end(), subtask,
                            [](const value_type& entry, std::uint32_t key) { return entry.first < key; });
  }
  const_iterator lower_bound(std::uint32_t subtask) const {
    return std::lower_bound(entries_.begin(), entries_.end(), subtask,
                            [](const value_type& entry, std::uint32_t key) { return entry.first < key; });
  }

  std::vector<value_type> entries_;
};

}  // namespace ckptsim
