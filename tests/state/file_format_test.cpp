#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

#include "protocol/state/file_checkpoint_storage_format.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::patterned_bytes;

namespace {

CheckpointMetadataFile sample_metadata() {
  CheckpointMetadataFile metadata;
  metadata.id = 42;
  metadata.files = {{"map-0-a0", 120, 0xDEADBEEF}, {"map-1-a0", 24, 0x01020304}, {"sink-0-a3", 4096, 7}};
  metadata.user_metadata = bytes_of("coordinator metadata");
  return metadata;
}

}  // namespace

TEST_CASE("file format: a stored file is header, payload, footer with the documented layout",
          "[unit][file-storage]") {
  const Bytes payload = bytes_of("hello");
  const Bytes file = encode_stored_file(StoredFileKind::kData, payload);
  REQUIRE(file.size() == payload.size() + kStoredFileFrameBytes);
  CHECK(std::string(file.begin(), file.begin() + 4) == "CKPF");
  CHECK(file[4] == 1);  // version, little-endian u16
  CHECK(file[5] == 0);
  CHECK(file[6] == static_cast<std::uint8_t>(StoredFileKind::kData));
  CHECK(file[7] == 0);
  CHECK(file[8] == 5);  // payload length
  CHECK(std::string(file.begin() + 16, file.begin() + 21) == "hello");
  CHECK(std::string(file.end() - 4, file.end()) == "FPKC");

  Result<DecodedStoredFile> decoded = decode_stored_file(file, "f");
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value().kind == StoredFileKind::kData);
  CHECK(Bytes(decoded.value().payload.begin(), decoded.value().payload.end()) == payload);
  CHECK(decode_stored_file_footer(std::span<const std::uint8_t>(file).last(8), "f").value() ==
        decoded.value().checksum);
}

TEST_CASE("file format: an empty payload is a valid 24-byte file", "[unit][file-storage]") {
  const Bytes file = encode_stored_file(StoredFileKind::kMetadata, Bytes{});
  CHECK(file.size() == kStoredFileFrameBytes);
  Result<DecodedStoredFile> decoded = decode_stored_file(file, "empty");
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value().payload.empty());
  CHECK(decoded.value().kind == StoredFileKind::kMetadata);
}

TEST_CASE("file format: each kind of damage is refused with a message naming it", "[unit][file-storage]") {
  const Bytes good = encode_stored_file(StoredFileKind::kData, patterned_bytes(100, 3));
  const auto refused_because = [](const Bytes& bytes) {
    Result<DecodedStoredFile> decoded = decode_stored_file(bytes, "state");
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().code() == StatusCode::kCorruption);
    return decoded.status().message();
  };
  Bytes truncated(good.begin(), good.end() - 1);
  CHECK_THAT(refused_because(truncated), Catch::Contains("torn or truncated"));
  CHECK_THAT(refused_because(Bytes(good.begin(), good.begin() + 10)), Catch::Contains("less than the 24-byte frame"));
  Bytes bad_magic = good;
  bad_magic[0] = 'X';
  CHECK_THAT(refused_because(bad_magic), Catch::Contains("bad magic"));
  Bytes bad_version = good;
  bad_version[4] = 2;
  CHECK_THAT(refused_because(bad_version), Catch::Contains("unsupported format version 2"));
  Bytes bad_payload = good;
  bad_payload[50] ^= 0x10;
  CHECK_THAT(refused_because(bad_payload), Catch::Contains("checksum mismatch"));
  Bytes bad_end = good;
  bad_end.back() ^= 0x01;
  CHECK_THAT(refused_because(bad_end), Catch::Contains("bad end magic"));
  Bytes extended = good;
  extended.push_back(0);
  CHECK_THAT(refused_because(extended), Catch::Contains("torn or truncated"));
}

TEST_CASE("file format: every single-bit flip anywhere in a stored file is detected", "[property][file-storage]") {
  rc::prop("flip detected", [](const std::vector<std::uint8_t>& payload) {
    const Bytes file = encode_stored_file(StoredFileKind::kData, payload);
    const std::uint64_t bit = *rc::gen::inRange<std::uint64_t>(0, file.size() * 8);
    Bytes damaged = file;
    damaged[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    Result<DecodedStoredFile> decoded = decode_stored_file(damaged, "f");
    RC_ASSERT_FALSE(decoded.is_ok());
    RC_ASSERT(decoded.status().code() == StatusCode::kCorruption);
  });
}

TEST_CASE("file format: every strict prefix of a stored file (a torn write) is refused", "[property][file-storage]") {
  rc::prop("prefix refused", [](const std::vector<std::uint8_t>& payload) {
    const Bytes file = encode_stored_file(StoredFileKind::kData, payload);
    const std::size_t cut = *rc::gen::inRange<std::size_t>(0, file.size());
    const Bytes torn(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut));
    RC_ASSERT_FALSE(decode_stored_file(torn, "f").is_ok());
  });
}

TEST_CASE("file format: metadata payload round-trips and rejects reordering and trailing bytes",
          "[unit][file-storage]") {
  const CheckpointMetadataFile metadata = sample_metadata();
  const Bytes payload = encode_metadata_payload(metadata);
  Result<CheckpointMetadataFile> decoded = decode_metadata_payload(payload, MetadataLimits{}, "m");
  REQUIRE(decoded.is_ok());
  CHECK(decoded.value() == metadata);

  Bytes trailing = payload;
  trailing.push_back(0);
  CHECK(decode_metadata_payload(trailing, MetadataLimits{}, "m").status().code() == StatusCode::kCorruption);
  MetadataLimits tight;
  tight.max_files = 2;
  CHECK_THAT(decode_metadata_payload(payload, tight, "m").status().message(), Catch::Contains("more than the bound"));
  for (std::size_t cut = 0; cut < payload.size(); ++cut) {
    const Bytes prefix(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK_FALSE(decode_metadata_payload(prefix, MetadataLimits{}, "m").is_ok());
  }
}

TEST_CASE("file format: any manifest encodes and decodes to itself", "[property][file-storage]") {
  rc::prop("metadata round trip", [](const std::vector<std::uint8_t>& user, std::uint32_t checksum) {
    CheckpointMetadataFile metadata;
    metadata.id = *rc::gen::inRange<CheckpointId>(1, INT64_MAX);
    const std::size_t files = *rc::gen::inRange<std::size_t>(0, 20);
    for (std::size_t i = 0; i < files; ++i) {
      metadata.files.push_back({"op-" + std::to_string(100 + i), i * 7, checksum + static_cast<std::uint32_t>(i)});
    }
    metadata.user_metadata = user;
    Result<CheckpointMetadataFile> decoded =
        decode_metadata_payload(encode_metadata_payload(metadata), MetadataLimits{}, "m");
    RC_ASSERT(decoded.is_ok());
    RC_ASSERT(decoded.value() == metadata);
  });
}
