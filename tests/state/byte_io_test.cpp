#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"

using namespace ckptsim;

namespace {
Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }
}  // namespace

TEST_CASE("crc32c: the standard check value and known vectors", "[unit][state]") {
  CHECK(crc32c(bytes_of("123456789")) == 0xE3069283u);
  CHECK(crc32c(Bytes{}) == 0u);
  CHECK(crc32c(Bytes(32, 0x00)) == 0x8A9136AAu);  // RFC 3720 B.4
  CHECK(crc32c(Bytes(32, 0xFF)) == 0x62A8AB43u);
  CHECK(crc32c_extend_portable(0, bytes_of("123456789")) == 0xE3069283u);
}

TEST_CASE("crc32c: hardware and portable paths agree and extension equals concatenation", "[property][state]") {
  rc::prop("crc32c_extend(crc32c(a), b) == crc32c(a ++ b) on both paths", [](const std::vector<std::uint8_t>& a,
                                                                            const std::vector<std::uint8_t>& b) {
    Bytes joined = a;
    joined.insert(joined.end(), b.begin(), b.end());
    const std::uint32_t whole = crc32c(joined);
    RC_ASSERT(crc32c_extend(crc32c(a), b) == whole);
    RC_ASSERT(crc32c_extend_portable(crc32c_extend_portable(0, a), b) == whole);
  });
}

TEST_CASE("byte io: values written are the values read, in little-endian", "[unit][state]") {
  ByteWriter writer;
  writer.put_u8(0xAB);
  writer.put_u32(0x01020304u);
  writer.put_u64(0x1122334455667788ULL);
  writer.put_i64(-5);
  writer.put_bool(true);
  writer.put_string("hello");
  writer.put_bytes(Bytes{9, 8, 7});
  const Bytes bytes = std::move(writer).take();
  CHECK(bytes[1] == 0x04);  // least significant byte first
  CHECK(bytes[4] == 0x01);

  ByteReader reader(bytes);
  std::uint8_t u8 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  std::int64_t i64 = 0;
  bool flag = false;
  std::string text;
  Bytes blob;
  REQUIRE(reader.read_u8(u8).is_ok());
  REQUIRE(reader.read_u32(u32).is_ok());
  REQUIRE(reader.read_u64(u64).is_ok());
  REQUIRE(reader.read_i64(i64).is_ok());
  REQUIRE(reader.read_bool(flag).is_ok());
  REQUIRE(reader.read_string(text).is_ok());
  REQUIRE(reader.read_bytes(blob).is_ok());
  CHECK(reader.expect_end().is_ok());
  CHECK(u8 == 0xAB);
  CHECK(u32 == 0x01020304u);
  CHECK(u64 == 0x1122334455667788ULL);
  CHECK(i64 == -5);
  CHECK(flag);
  CHECK(text == "hello");
  CHECK(blob == Bytes{9, 8, 7});
}

TEST_CASE("byte io: an underflow is kCorruption naming the field and keeps the position", "[unit][state]") {
  const Bytes bytes{1, 2, 3};
  ByteReader reader(bytes);
  std::uint8_t first = 0;
  REQUIRE(reader.read_u8(first).is_ok());
  std::uint32_t value = 0;
  const Status status = reader.read_u32(value, "entry count");
  CHECK(status.code() == StatusCode::kCorruption);
  CHECK(status.message().find("entry count") != std::string::npos);
  CHECK(status.message().find("offset 1") != std::string::npos);
  CHECK(reader.position() == 1);
  CHECK(reader.remaining() == 2);
  CHECK(reader.expect_end().code() == StatusCode::kCorruption);
}

TEST_CASE("byte io: length prefixes are checked before anything is allocated", "[unit][state]") {
  ByteWriter writer;
  writer.put_u32(1'000'000);  // claims a megabyte that is not there
  writer.put_u8(1);
  const Bytes lying = std::move(writer).take();
  ByteReader reader(lying);
  std::string text;
  CHECK(reader.read_string(text).code() == StatusCode::kCorruption);
  CHECK(reader.position() == 0);

  ByteWriter bounded;
  bounded.put_string("abcdef");
  const Bytes six = std::move(bounded).take();
  ByteReader bounded_reader(six);
  const Status too_long = bounded_reader.read_string(text, 5, "operator name");
  CHECK(too_long.code() == StatusCode::kCorruption);
  CHECK(too_long.message().find("operator name") != std::string::npos);
}

TEST_CASE("byte io: a boolean byte other than 0 or 1 is corruption", "[unit][state]") {
  const Bytes bytes{2};
  ByteReader reader(bytes);
  bool flag = false;
  CHECK(reader.read_bool(flag).code() == StatusCode::kCorruption);
  CHECK(reader.position() == 0);
}

TEST_CASE("byte io: any sequence of writes reads back, and every truncation fails", "[property][state]") {
  rc::prop("round trip and truncation", [](const std::vector<std::uint64_t>& numbers, const std::string& text) {
    ByteWriter writer;
    for (const std::uint64_t n : numbers) {
      writer.put_u64(n);
      writer.put_u32(static_cast<std::uint32_t>(n));
    }
    writer.put_string(text);
    const Bytes bytes = std::move(writer).take();

    const auto read_all = [&](std::span<const std::uint8_t> data) {
      ByteReader reader(data);
      for (const std::uint64_t n : numbers) {
        std::uint64_t wide = 0;
        std::uint32_t narrow = 0;
        if (Status s = reader.read_u64(wide); !s.is_ok()) return s;
        if (Status s = reader.read_u32(narrow); !s.is_ok()) return s;
        RC_ASSERT(wide == n);
        RC_ASSERT(narrow == static_cast<std::uint32_t>(n));
      }
      std::string read_text;
      if (Status s = reader.read_string(read_text); !s.is_ok()) return s;
      RC_ASSERT(read_text == text);
      return reader.expect_end();
    };
    RC_ASSERT(read_all(bytes).is_ok());
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size());
    RC_ASSERT(read_all(std::span<const std::uint8_t>(bytes).first(cut)).code() == StatusCode::kCorruption);
  });
}
