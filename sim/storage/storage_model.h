// Shared by the simulated blob stores (in-memory and file-backed): the modelled
// duration of a transfer and the stable name hash they log.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/base/assert.h"
#include "protocol/base/int128.h"
#include "protocol/base/time.h"

namespace ckptsim::sim {

// FNV-1a 64 of a blob name: a portable, stable identifier for the event log.
inline std::uint64_t blob_name_hash(const std::string& name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// latency + ceil(bytes / bandwidth), exactly, in integer nanoseconds.
inline DurationNs transfer_duration_ns(DurationNs latency_ns, std::size_t bytes, std::uint64_t bytes_per_second) {
  CKPT_ASSERT(bytes_per_second > 0, "a transfer needs a positive bandwidth");
  const Uint128 numerator = static_cast<Uint128>(bytes) * static_cast<Uint128>(kSecond) + (bytes_per_second - 1);
  const Uint128 transfer_ns = numerator / bytes_per_second;
  CKPT_ASSERT(transfer_ns <= static_cast<Uint128>(kTimeNever - latency_ns), "transfer duration overflows time");
  return latency_ns + static_cast<DurationNs>(transfer_ns);
}

}  // namespace ckptsim::sim
