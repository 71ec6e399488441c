// The records that flow through a job, and how they are serialized into network
// buffers and sink transactions.
//
// Lineage: every record descends from exactly one source record, named by
// (partition, offset) in the input log. Operators keep the lineage; the oracle counts
// how often each lineage reaches the committed output.
//
// Fields:
//   key, value   the payload; `value` is transformed only by stateless operators, so for
//                a given lineage and path it is deterministic.
//   agg_count    set by a keyed aggregation: how many records of this key the
//                aggregation had seen including this one (1, 2, 3, ...). In an
//                exactly-once run the committed counts of a key are exactly 1..n.
//   agg_sum      running sum of `value` for this key, including this record.
//
// Wire format: kRecordBytes bytes per record, little-endian, fixed width.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "protocol/base/assert.h"

namespace ckptsim {

struct Record {
  std::uint64_t key = 0;
  std::int64_t value = 0;
  std::uint32_t partition = 0;
  std::uint64_t offset = 0;
  std::uint64_t agg_count = 0;
  std::int64_t agg_sum = 0;

  friend bool operator==(const Record&, const Record&) = default;
};

inline constexpr std::size_t kRecordBytes = 8 + 8 + 4 + 8 + 8 + 8;

namespace record_codec {

inline void put_u64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline std::uint64_t get_u64(const std::uint8_t* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return v;
}

inline void append(std::vector<std::uint8_t>& out, const Record& r) {
  const std::size_t at = out.size();
  out.resize(at + kRecordBytes);
  std::uint8_t* p = out.data() + at;
  put_u64(p, r.key);
  put_u64(p + 8, static_cast<std::uint64_t>(r.value));
  const std::uint32_t partition = r.partition;
  for (int i = 0; i < 4; ++i) p[16 + i] = static_cast<std::uint8_t>(partition >> (8 * i));
  put_u64(p + 20, r.offset);
  put_u64(p + 28, r.agg_count);
  put_u64(p + 36, static_cast<std::uint64_t>(r.agg_sum));
}

inline Record read(const std::uint8_t* p) {
  Record r;
  r.key = get_u64(p);
  r.value = static_cast<std::int64_t>(get_u64(p + 8));
  r.partition = static_cast<std::uint32_t>(p[16]) | static_cast<std::uint32_t>(p[17]) << 8 |
                static_cast<std::uint32_t>(p[18]) << 16 | static_cast<std::uint32_t>(p[19]) << 24;
  r.offset = get_u64(p + 20);
  r.agg_count = get_u64(p + 28);
  r.agg_sum = static_cast<std::int64_t>(get_u64(p + 36));
  return r;
}

// Number of records in a serialized batch; asserts the size is a whole number.
inline std::size_t count(const std::vector<std::uint8_t>& bytes) {
  CKPT_ASSERT(bytes.size() % kRecordBytes == 0, "record batch has a partial record");
  return bytes.size() / kRecordBytes;
}

}  // namespace record_codec
}  // namespace ckptsim
