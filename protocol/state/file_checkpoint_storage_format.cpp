#include "protocol/state/file_checkpoint_storage_format.h"

#include <cstring>

#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"

namespace ckptsim {
namespace {

constexpr std::uint8_t kMagic[4] = {'C', 'K', 'P', 'F'};
constexpr std::uint8_t kEndMagic[4] = {'F', 'P', 'K', 'C'};

std::string hex32(std::uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x00000000";
  for (int i = 0; i < 8; ++i) text[9 - i] = kDigits[(value >> (4 * i)) & 0xF];
  return text;
}

Status check_header(std::span<const std::uint8_t> file, const std::string& what, StoredFileKind& kind) {
  if (std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
    return Status::corruption(what + ": bad magic (not a checkpoint storage file)");
  }
  const std::uint16_t version = static_cast<std::uint16_t>(file[4] | (file[5] << 8));
  if (version != kStoredFileVersion) {
    return Status::corruption(what + ": unsupported format version " + std::to_string(version));
  }
  if (file[6] != static_cast<std::uint8_t>(StoredFileKind::kData) &&
      file[6] != static_cast<std::uint8_t>(StoredFileKind::kMetadata)) {
    return Status::corruption(what + ": unknown file kind " + std::to_string(file[6]));
  }
  if (file[7] != 0) return Status::corruption(what + ": unknown flags " + std::to_string(file[7]));
  const std::uint64_t payload_bytes = load_le64(file.data() + 8);
  if (payload_bytes != file.size() - kStoredFileFrameBytes) {
    return Status::corruption(what + ": torn or truncated: the header declares " + std::to_string(payload_bytes) +
                              " payload bytes, the file holds " + std::to_string(file.size() - kStoredFileFrameBytes));
  }
  kind = static_cast<StoredFileKind>(file[6]);
  return Status::ok();
}

}  // namespace

StoredFileFrame frame_stored_file(StoredFileKind kind, std::span<const std::uint8_t> payload) {
  StoredFileFrame frame{};
  std::memcpy(frame.header, kMagic, sizeof kMagic);
  frame.header[4] = static_cast<std::uint8_t>(kStoredFileVersion & 0xFF);
  frame.header[5] = static_cast<std::uint8_t>(kStoredFileVersion >> 8);
  frame.header[6] = static_cast<std::uint8_t>(kind);
  frame.header[7] = 0;
  store_le64(frame.header + 8, payload.size());
  frame.checksum = crc32c_extend(crc32c(frame.header), payload);
  store_le32(frame.footer, frame.checksum);
  std::memcpy(frame.footer + 4, kEndMagic, sizeof kEndMagic);
  return frame;
}

Bytes encode_stored_file(StoredFileKind kind, std::span<const std::uint8_t> payload) {
  const StoredFileFrame frame = frame_stored_file(kind, payload);
  ByteWriter writer(payload.size() + kStoredFileFrameBytes);
  writer.put_raw(frame.header);
  writer.put_raw(payload);
  writer.put_raw(frame.footer);
  return std::move(writer).take();
}

Result<std::uint32_t> decode_stored_file_footer(std::span<const std::uint8_t> footer, const std::string& what) {
  CKPT_ASSERT(footer.size() == kStoredFileFooterBytes, "a footer is exactly kStoredFileFooterBytes long");
  if (std::memcmp(footer.data() + 4, kEndMagic, sizeof kEndMagic) != 0) {
    return Status::corruption(what + ": bad end magic (torn, truncated or not a checkpoint storage file)");
  }
  return load_le32(footer.data());
}

Result<DecodedStoredFile> decode_stored_file(std::span<const std::uint8_t> file, const std::string& what) {
  if (file.size() < kStoredFileFrameBytes) {
    return Status::corruption(what + ": truncated: " + std::to_string(file.size()) + " bytes, less than the " +
                              std::to_string(kStoredFileFrameBytes) + "-byte frame");
  }
  StoredFileKind kind = StoredFileKind::kData;
  if (Status s = check_header(file, what, kind); !s.is_ok()) return s;
  Result<std::uint32_t> stored = decode_stored_file_footer(file.last(kStoredFileFooterBytes), what);
  if (!stored.is_ok()) return stored.status();
  const std::span<const std::uint8_t> payload =
      file.subspan(kStoredFileHeaderBytes, file.size() - kStoredFileFrameBytes);
  const std::uint32_t computed = crc32c_extend(crc32c(file.first(kStoredFileHeaderBytes)), payload);
  if (computed != stored.value()) {
    return Status::corruption(what + ": checksum mismatch: stored " + hex32(stored.value()) + ", computed " +
                              hex32(computed));
  }
  return DecodedStoredFile{kind, payload, computed};
}

Bytes encode_metadata_payload(const CheckpointMetadataFile& metadata) {
  CKPT_ASSERT(metadata.id > kNoCheckpointId, "metadata of a checkpoint needs a positive id");
  ByteWriter writer(64 + metadata.user_metadata.size() + 32 * metadata.files.size());
  writer.put_i64(metadata.id);
  CKPT_ASSERT(metadata.files.size() <= UINT32_MAX, "manifest entry count fits a u32");
  writer.put_u32(static_cast<std::uint32_t>(metadata.files.size()));
  for (std::size_t i = 0; i < metadata.files.size(); ++i) {
    const ManifestEntry& entry = metadata.files[i];
    CKPT_ASSERT(!entry.name.empty(), "manifest entries are named");
    CKPT_ASSERT(i == 0 || metadata.files[i - 1].name < entry.name, "manifest names strictly increase");
    writer.put_string(entry.name);
    writer.put_u64(entry.file_bytes);
    writer.put_u32(entry.checksum);
  }
  writer.put_bytes(metadata.user_metadata);
  return std::move(writer).take();
}

Result<CheckpointMetadataFile> decode_metadata_payload(std::span<const std::uint8_t> payload,
                                                       const MetadataLimits& limits, const std::string& what) {
  ByteReader reader(payload);
  CheckpointMetadataFile metadata;
  std::uint32_t count = 0;
  Status s = reader.read_i64(metadata.id, "checkpoint id");
  if (s.is_ok() && metadata.id <= kNoCheckpointId) s = Status::corruption("checkpoint id " + std::to_string(metadata.id));
  if (s.is_ok()) s = reader.read_u32(count, "manifest entry count");
  if (s.is_ok() && count > limits.max_files) {
    s = Status::corruption("manifest names " + std::to_string(count) + " files, more than the bound " +
                           std::to_string(limits.max_files));
  }
  for (std::uint32_t i = 0; s.is_ok() && i < count; ++i) {
    ManifestEntry entry;
    s = reader.read_string(entry.name, limits.max_name_bytes, "manifest file name");
    if (s.is_ok()) s = reader.read_u64(entry.file_bytes, "manifest file size");
    if (s.is_ok()) s = reader.read_u32(entry.checksum, "manifest file checksum");
    if (s.is_ok() && (entry.name.empty() || (!metadata.files.empty() && !(metadata.files.back().name < entry.name)))) {
      s = Status::corruption("manifest entry " + std::to_string(i) + " is empty or out of order");
    }
    if (s.is_ok()) metadata.files.push_back(std::move(entry));
  }
  if (s.is_ok()) s = reader.read_bytes(metadata.user_metadata, limits.max_user_metadata_bytes, "user metadata");
  if (s.is_ok()) s = reader.expect_end("metadata payload");
  if (!s.is_ok()) return Status::corruption(what + ": " + s.message());
  return metadata;
}

}  // namespace ckptsim
