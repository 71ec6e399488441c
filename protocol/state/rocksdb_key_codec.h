// How keyed state is laid out inside RocksDB (the RocksDB backend's on-disk key format,
// like Flink's RocksDB key serialization with its key-group prefix).
//
//   key   = key group (2 bytes, big-endian) + key (8 bytes, big-endian)
//           + name space (4 bytes, big-endian)                       14 bytes
//   value = value.a (8 bytes, little-endian) + value.b (8, LE)        16 bytes
//
// Why big-endian: RocksDB orders keys bytewise, so this order is exactly the canonical
// order of keyed state (key group, then key, then name space). Key groups therefore
// form contiguous key ranges: a snapshot can be written in one scan, and a rescaled
// restore copies the range [prefix(start), prefix(end + 1)) of a temporary database.
// Two prefix bytes cover every key group below kMaxParallelismUpperBound (32768).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"
#include "protocol/state/state_value.h"

namespace ckptsim {

inline constexpr std::size_t kRocksDbKeyBytes = 14;
inline constexpr std::size_t kRocksDbValueBytes = 16;
inline constexpr std::size_t kRocksDbKeyGroupPrefixBytes = 2;

// The first bytes of every key of `key_group`; key_group + 1 gives the exclusive upper
// bound of its range. Key groups are below kMaxParallelismUpperBound, so key_group + 1
// always fits in two bytes (asserted).
inline std::string rocksdb_key_group_prefix(std::uint32_t key_group) {
  CKPT_ASSERT(key_group <= 0xFFFF, "a key group prefix has two bytes");
  std::string prefix(2, '\0');
  prefix[0] = static_cast<char>(key_group >> 8);
  prefix[1] = static_cast<char>(key_group & 0xFF);
  return prefix;
}

inline std::array<char, kRocksDbKeyBytes> encode_rocksdb_key(std::uint32_t key_group, std::uint64_t key,
                                                             std::uint32_t name_space) {
  std::array<char, kRocksDbKeyBytes> out{};
  out[0] = static_cast<char>(key_group >> 8);
  out[1] = static_cast<char>(key_group & 0xFF);
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(key >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) out[10 + i] = static_cast<char>(name_space >> (24 - 8 * i));
  return out;
}

struct DecodedRocksDbKey {
  std::uint32_t key_group = 0;
  std::uint64_t key = 0;
  std::uint32_t name_space = 0;
};

// nullopt when `bytes` is not a key of this format (wrong length).
inline std::optional<DecodedRocksDbKey> decode_rocksdb_key(std::string_view bytes) {
  if (bytes.size() != kRocksDbKeyBytes) return std::nullopt;
  const auto* in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  DecodedRocksDbKey out;
  out.key_group = (std::uint32_t{in[0]} << 8) | in[1];
  for (int i = 0; i < 8; ++i) out.key = (out.key << 8) | in[2 + i];
  for (int i = 0; i < 4; ++i) out.name_space = (out.name_space << 8) | in[10 + i];
  return out;
}

inline std::array<char, kRocksDbValueBytes> encode_rocksdb_value(StateValue value) {
  std::array<char, kRocksDbValueBytes> out{};
  store_le64(reinterpret_cast<std::uint8_t*>(out.data()), value.a);
  store_le64(reinterpret_cast<std::uint8_t*>(out.data()) + 8, value.b);
  return out;
}

inline std::optional<StateValue> decode_rocksdb_value(std::string_view bytes) {
  if (bytes.size() != kRocksDbValueBytes) return std::nullopt;
  const auto* in = reinterpret_cast<const std::uint8_t*>(bytes.data());
  return StateValue{load_le64(in), load_le64(in + 8)};
}

}  // namespace ckptsim
