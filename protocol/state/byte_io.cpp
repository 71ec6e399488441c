#include "protocol/state/byte_io.h"

namespace ckptsim {

Status ByteReader::underflow(std::size_t n, const char* what) const {
  return Status::corruption("truncated: reading " + std::string(what) + " at offset " + std::to_string(position_) +
                            " needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " remain");
}

Status ByteReader::read_bool(bool& out, const char* what) {
  std::uint8_t raw = 0;
  const std::size_t start = position_;
  if (Status s = read_u8(raw, what); !s.is_ok()) return s;
  if (raw > 1) {
    position_ = start;
    return Status::corruption("invalid " + std::string(what) + " at offset " + std::to_string(start) +
                              ": boolean byte " + std::to_string(raw));
  }
  out = raw == 1;
  return Status::ok();
}

Status ByteReader::read_length_prefix(std::size_t max_length, const char* what, std::uint32_t& length) {
  const std::size_t start = position_;
  if (Status s = read_u32(length, what); !s.is_ok()) return s;
  if (length > max_length) {
    position_ = start;
    return Status::corruption("invalid " + std::string(what) + " at offset " + std::to_string(start) + ": length " +
                              std::to_string(length) + " exceeds the bound " + std::to_string(max_length));
  }
  if (length > remaining()) {
    position_ = start;
    return Status::corruption("truncated: " + std::string(what) + " at offset " + std::to_string(start) +
                              " declares " + std::to_string(length) + " bytes, " + std::to_string(remaining()) +
                              " remain after its length prefix");
  }
  return Status::ok();
}

Status ByteReader::read_string(std::string& out, std::size_t max_length, const char* what) {
  std::uint32_t length = 0;
  if (Status s = read_length_prefix(max_length, what, length); !s.is_ok()) return s;
  out.assign(reinterpret_cast<const char*>(data_.data() + position_), length);
  position_ += length;
  return Status::ok();
}

Status ByteReader::read_bytes(Bytes& out, std::size_t max_length, const char* what) {
  std::uint32_t length = 0;
  if (Status s = read_length_prefix(max_length, what, length); !s.is_ok()) return s;
  out.assign(data_.begin() + static_cast<std::ptrdiff_t>(position_),
             data_.begin() + static_cast<std::ptrdiff_t>(position_ + length));
  position_ += length;
  return Status::ok();
}

Status ByteReader::read_raw(std::size_t n, std::span<const std::uint8_t>& out, const char* what) {
  if (Status s = require(n, what); !s.is_ok()) return s;
  out = data_.subspan(position_, n);
  position_ += n;
  return Status::ok();
}

Status ByteReader::expect_end(const char* what) const {
  if (at_end()) return Status::ok();
  return Status::corruption(std::to_string(remaining()) + " trailing bytes after the " + std::string(what) +
                            " at offset " + std::to_string(position_));
}

}  // namespace ckptsim
