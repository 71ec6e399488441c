// ChecksummedWriter: writes little-endian fields into a buffer whose size is known up
// front and keeps the FNV-1a-64 hash of every byte written, so that an encoder with a
// trailing checksum (the checkpoint metadata) reads its output once instead of twice.
//
// Why: FNV-1a is a chain of one xor and one multiply per byte, each waiting for the
// previous one, so hashing costs about 4 cycles per byte however wide the machine; on
// the checkpoint metadata of 10 000 subtasks (about 1 MB) that was half the cost of
// completing a checkpoint. Most bytes of the metadata are the zero high bytes of small
// integers, and hashing a zero byte is a multiplication by the prime alone, so a field's
// k zero high bytes are hashed at once by one multiplication by prime^k. The result is
// exactly FNV-1a-64 of the bytes (see fnv1a64 in checkpoint_types.h); only the order of
// the operations is regrouped.
//
// Contract:
//  * checksum() == fnv1a64(bytes written so far), always (pair-tested).
//  * Writing beyond the size given at construction is a programmer error (asserted);
//    so is finishing a buffer that the trailing checksum does not fill exactly.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>

#include "protocol/base/assert.h"
#include "protocol/env/blob_store.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {

inline constexpr std::uint64_t kFnv1a64OffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnv1a64Prime = 0x100000001b3ULL;

class ChecksummedWriter {
 public:
  explicit ChecksummedWriter(std::size_t size_bytes) : bytes_(size_bytes) {}

  void put_u32(std::uint32_t value) { put_le(value, 4); }
  void put_u64(std::uint64_t value) { put_le(value, 8); }
  void put_i64(std::int64_t value) { put_u64(static_cast<std::uint64_t>(value)); }
  // u32 length, then the characters (ByteWriter::put_string's encoding).
  void put_string(std::string_view text) {
    CKPT_ASSERT(text.size() <= ByteWriter::kMaxLengthPrefixed, "string too long for a u32 length prefix");
    put_u32(static_cast<std::uint32_t>(text.size()));
    put_raw(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  void put_raw(std::span<const std::uint8_t> data) {
    std::uint8_t* out = claim(data.size());
    if (!data.empty()) std::memcpy(out, data.data(), data.size());
    for (const std::uint8_t byte : data) hash_ = (hash_ ^ byte) * kFnv1a64Prime;
  }

  std::size_t size() const { return position_; }
  std::uint64_t checksum() const { return hash_; }
  // Appends checksum() as a little-endian u64 (not itself hashed) and returns the
  // buffer. Precondition: that fills exactly the size given at construction.
  Bytes finish_with_checksum() && {
    store_le64(claim(8), hash_);
    CKPT_ASSERT(position_ == bytes_.size(), "the checksum ends the buffer");
    return std::move(bytes_);
  }

 private:
  // prime^k for the k zero high bytes of a field, k in [0, 8].
  static constexpr std::array<std::uint64_t, 9> kPrimePowers = [] {
    std::array<std::uint64_t, 9> powers{};
    powers[0] = 1;
    for (std::size_t k = 1; k < powers.size(); ++k) powers[k] = powers[k - 1] * kFnv1a64Prime;
    return powers;
  }();

  std::uint8_t* claim(std::size_t n) {
    CKPT_ASSERT(n <= bytes_.size() - position_, "write beyond the size given at construction");
    std::uint8_t* out = bytes_.data() + position_;
    position_ += n;
    return out;
  }

  // Writes the low `width` bytes of value, little-endian (width 4 or 8).
  void put_le(std::uint64_t value, int width) {
    std::uint8_t* out = claim(static_cast<std::size_t>(width));
    if (width == 8) {
      store_le64(out, value);
    } else {
      CKPT_ASSERT(width == 4 && value <= UINT32_MAX, "a u32 field holds 4 bytes");
      store_le32(out, static_cast<std::uint32_t>(value));
    }
    // Little-endian: the bytes up to the highest non-zero one come first, then zeros.
    const int significant = (static_cast<int>(std::bit_width(value)) + 7) / 8;
    for (int i = 0; i < significant; ++i) hash_ = (hash_ ^ ((value >> (8 * i)) & 0xff)) * kFnv1a64Prime;
    hash_ *= kPrimePowers[static_cast<std::size_t>(width - significant)];
  }

  Bytes bytes_;
  std::size_t position_ = 0;
  std::uint64_t hash_ = kFnv1a64OffsetBasis;
};

}  // namespace ckptsim
