// Little-endian binary encoding helpers for small pieces of protocol state (offsets,
// transaction ids, metadata) and for the snapshot formats.
//
// ByteWriter appends fixed-width little-endian integers, and length-prefixed strings
// and byte strings (u32 length, then the bytes). ByteReader reads them back from a
// span it does not own.
//
// Contract:
//  * The encoding is independent of the host's byte order: the same values give the
//    same bytes on every machine.
//  * Every ByteReader read either succeeds and advances, or returns kCorruption naming
//    what was being read and where, and leaves the position unchanged. A reader never
//    reads past its span, and a length prefix is checked against the bytes that remain
//    (and against a caller's bound) before anything is allocated.
//  * What a writer's put_X writes, the reader's read_X returns (pair-tested).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "protocol/base/assert.h"
#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

inline void store_le32(std::uint8_t* out, std::uint32_t value) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &value, sizeof value);
  } else {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

inline void store_le64(std::uint8_t* out, std::uint64_t value) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &value, sizeof value);
  } else {
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

inline std::uint32_t load_le32(const std::uint8_t* in) {
  std::uint32_t value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&value, in, sizeof value);
  } else {
    for (int i = 3; i >= 0; --i) value = (value << 8) | in[i];
  }
  return value;
}

inline std::uint64_t load_le64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&value, in, sizeof value);
  } else {
    for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  }
  return value;
}

// Appends to a Bytes buffer it owns. Strings and byte strings longer than
// kMaxLengthPrefixed are a programmer error (asserted).
class ByteWriter {
 public:
  static constexpr std::size_t kMaxLengthPrefixed = UINT32_MAX;

  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve_bytes) { bytes_.reserve(reserve_bytes); }

  void put_u8(std::uint8_t value) { bytes_.push_back(value); }
  void put_u32(std::uint32_t value) { store_le32(extend(4), value); }
  void put_u64(std::uint64_t value) { store_le64(extend(8), value); }
  void put_i64(std::int64_t value) { put_u64(static_cast<std::uint64_t>(value)); }
  void put_bool(bool value) { put_u8(value ? 1 : 0); }
  // u32 length, then the characters.
  void put_string(std::string_view text) {
    CKPT_ASSERT(text.size() <= kMaxLengthPrefixed, "string too long for a u32 length prefix");
    put_u32(static_cast<std::uint32_t>(text.size()));
    if (!text.empty()) std::memcpy(extend(text.size()), text.data(), text.size());
  }
  // u32 length, then the bytes.
  void put_bytes(std::span<const std::uint8_t> data) {
    CKPT_ASSERT(data.size() <= kMaxLengthPrefixed, "byte string too long for a u32 length prefix");
    put_u32(static_cast<std::uint32_t>(data.size()));
    put_raw(data);
  }
  // The bytes alone, no length prefix.
  void put_raw(std::span<const std::uint8_t> data) {
    if (!data.empty()) std::memcpy(extend(data.size()), data.data(), data.size());
  }
  // Overwrites a u32 written earlier (e.g. a count known only at the end).
  void patch_u32(std::size_t offset, std::uint32_t value) {
    CKPT_ASSERT(offset <= bytes_.size() && bytes_.size() - offset >= 4, "patch_u32 outside the written bytes");
    store_le32(bytes_.data() + offset, value);
  }

  void patch_u64(std::size_t offset, std::uint64_t value) {
    CKPT_ASSERT(offset <= bytes_.size() && bytes_.size() - offset >= 8, "patch_u64 outside the written bytes");
    store_le64(bytes_.data() + offset, value);
  }

  // Grows the buffer by n bytes and returns where they start, for bulk encoders.
  // The pointer is valid until the next write.
  std::uint8_t* extend(std::size_t n) {
    const std::size_t old_size = bytes_.size();
    bytes_.resize(old_size + n);
    return bytes_.data() + old_size;
  }

  std::size_t size() const { return bytes_.size(); }
  const Bytes& bytes() const { return bytes_; }
  Bytes take() && { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

// Reads from a span it does not own; the span must outlive the reader.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  Status read_u8(std::uint8_t& out, const char* what = "u8") {
    if (Status s = require(1, what); !s.is_ok()) return s;
    out = data_[position_++];
    return Status::ok();
  }
  Status read_u32(std::uint32_t& out, const char* what = "u32") {
    if (Status s = require(4, what); !s.is_ok()) return s;
    out = load_le32(data_.data() + position_);
    position_ += 4;
    return Status::ok();
  }
  Status read_u64(std::uint64_t& out, const char* what = "u64") {
    if (Status s = require(8, what); !s.is_ok()) return s;
    out = load_le64(data_.data() + position_);
    position_ += 8;
    return Status::ok();
  }
  Status read_i64(std::int64_t& out, const char* what = "i64") {
    std::uint64_t raw = 0;
    if (Status s = read_u64(raw, what); !s.is_ok()) return s;
    out = static_cast<std::int64_t>(raw);
    return Status::ok();
  }
  // Accepts only 0 and 1: any other byte is corruption, not "true".
  Status read_bool(bool& out, const char* what = "bool");
  // A u32 length prefix, then that many bytes; refuses lengths above max_length.
  Status read_string(std::string& out, std::size_t max_length = ByteWriter::kMaxLengthPrefixed,
                     const char* what = "string");
  Status read_bytes(Bytes& out, std::size_t max_length = ByteWriter::kMaxLengthPrefixed,
                    const char* what = "bytes");
  // n bytes without a length prefix, as a view into the reader's span.
  Status read_raw(std::size_t n, std::span<const std::uint8_t>& out, const char* what = "raw bytes");
  Status skip(std::size_t n, const char* what = "skipped bytes") {
    if (Status s = require(n, what); !s.is_ok()) return s;
    position_ += n;
    return Status::ok();
  }
  // kCorruption if any bytes remain (a record must be consumed exactly).
  Status expect_end(const char* what = "record") const;

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return data_.size() - position_; }
  bool at_end() const { return position_ == data_.size(); }

 private:
  Status require(std::size_t n, const char* what) const {
    if (n <= remaining()) [[likely]] return Status::ok();
    return underflow(n, what);
  }
  Status underflow(std::size_t n, const char* what) const;
  Status read_length_prefix(std::size_t max_length, const char* what, std::uint32_t& length);

  std::span<const std::uint8_t> data_;
  std::size_t position_ = 0;
};

}  // namespace ckptsim
