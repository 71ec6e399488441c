// The value and entry types of keyed state. Values are fixed-size so that the memory
// backend can store them inline and snapshots can encode them without allocation.
#pragma once

#include <cstdint>

namespace ckptsim {

// One keyed state value: two 64-bit words whose meaning belongs to the operator,
// e.g. (count, sum) for an aggregation or (last offset, 0) for a sequence checker.
struct StateValue {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  friend bool operator==(const StateValue&, const StateValue&) = default;
};

// One entry of keyed state: the value under (key, name_space). The name space tells
// apart several values of one key (e.g. the sequence checker's input partition).
struct StateEntry {
  std::uint64_t key = 0;
  std::uint32_t name_space = 0;
  StateValue value;
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};

// The canonical entry order inside one key group: by key, then by name space.
inline bool entry_order_less(const StateEntry& x, const StateEntry& y) {
  return x.key != y.key ? x.key < y.key : x.name_space < y.name_space;
}

}  // namespace ckptsim
