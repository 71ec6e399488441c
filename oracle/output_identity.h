// OutputIdentity: what the oracle compares about a committed record. The payload a
// correct run must reproduce exactly — its lineage (source partition, offset), key and
// value — and nothing that legitimately depends on timing (agg_count and agg_sum depend on
// the order in which an aggregate saw records of different partitions).
//
// identity_hash is a strong 64-bit hash (splitmix64-style mixing of every field and the
// sink's name hash); a multiset of identities is digested as the wrapping sum of their
// hashes, which is independent of order and of how records were split into transactions.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/runtime/record.h"

namespace ckptsim::oracle {

struct OutputIdentity {
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  std::uint64_t key = 0;
  std::int64_t value = 0;

  friend auto operator<=>(const OutputIdentity&, const OutputIdentity&) = default;
  friend bool operator==(const OutputIdentity&, const OutputIdentity&) = default;
};

inline OutputIdentity identity_of(const Record& record) {
  return OutputIdentity{record.partition, record.offset, record.key, record.value};
}

inline std::uint64_t digest_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a of a sink's name, so a digest does not depend on operator numbering.
inline std::uint64_t sink_name_hash(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : name) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

inline std::uint64_t identity_hash(std::uint64_t sink_hash, const OutputIdentity& identity) {
  std::uint64_t h = digest_mix(sink_hash);
  h = digest_mix(h ^ identity.partition);
  h = digest_mix(h ^ identity.offset);
  h = digest_mix(h ^ identity.key);
  h = digest_mix(h ^ static_cast<std::uint64_t>(identity.value));
  return h;
}

// "(partition 3, offset 17, key 5, value 42)".
std::string describe(const OutputIdentity& identity);

}  // namespace ckptsim::oracle
