// The on-disk format of FileCheckpointStorage (docs/checkpoint-storage-format.md has the
// full description and the reasoning).
//
// Every stored file is framed (version 1, integers little-endian):
//
//   offset  size  field
//   0       4     magic "CKPF"
//   4       2     u16 format version (kStoredFileVersion)
//   6       1     u8 kind (StoredFileKind)
//   7       1     u8 flags, must be 0
//   8       8     u64 payload length P
//   16      P     payload
//   16+P    4     u32 CRC-32C over bytes [0, 16+P): header and payload
//   20+P    4     end magic "FPKC"
//
// A checkpoint's _metadata file (kind kMetadata) has this payload:
//
//   i64 checkpoint id
//   u32 N, then N manifest entries in strictly increasing name order:
//       { u32 L, L bytes file name, u64 file size in bytes, u32 that file's CRC-32C }
//   u32 M, then M bytes of the caller's metadata (opaque to the storage)
//
// Contract: decode_stored_file accepts exactly the bytes encode_* produced and refuses
// anything else with kCorruption naming what is wrong (truncated or torn file, bad magic,
// unknown version, length mismatch, checksum mismatch); it never returns a payload whose
// checksum failed. A CRC-32C detects every error burst up to 32 bits, so any damage
// confined to 4 consecutive bytes of a file is always caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

inline constexpr std::uint16_t kStoredFileVersion = 1;
inline constexpr std::size_t kStoredFileHeaderBytes = 16;
inline constexpr std::size_t kStoredFileFooterBytes = 8;
inline constexpr std::size_t kStoredFileFrameBytes = kStoredFileHeaderBytes + kStoredFileFooterBytes;

enum class StoredFileKind : std::uint8_t {
  kData = 1,      // a state file or any other named blob
  kMetadata = 2,  // a checkpoint's _metadata: manifest plus the caller's metadata
};

// The frame around a payload, computed without copying the payload.
struct StoredFileFrame {
  std::uint8_t header[kStoredFileHeaderBytes];
  std::uint8_t footer[kStoredFileFooterBytes];
  std::uint32_t checksum = 0;  // the CRC-32C stored in the footer
};
StoredFileFrame frame_stored_file(StoredFileKind kind, std::span<const std::uint8_t> payload);

// header ++ payload ++ footer in one buffer (tests and small files).
Bytes encode_stored_file(StoredFileKind kind, std::span<const std::uint8_t> payload);

struct DecodedStoredFile {
  StoredFileKind kind = StoredFileKind::kData;
  std::span<const std::uint8_t> payload;  // a view into the decoded buffer
  std::uint32_t checksum = 0;
};
// `what` names the file in error messages.
Result<DecodedStoredFile> decode_stored_file(std::span<const std::uint8_t> file, const std::string& what);

// Reads the checksum out of a file's last kStoredFileFooterBytes bytes (checking the end
// magic); lets the manifest be built without reading whole state files.
Result<std::uint32_t> decode_stored_file_footer(std::span<const std::uint8_t> footer, const std::string& what);

struct ManifestEntry {
  std::string name;             // a file in the checkpoint directory
  std::uint64_t file_bytes = 0; // its size on disk, frame included
  std::uint32_t checksum = 0;   // its footer CRC-32C

  friend bool operator==(const ManifestEntry&, const ManifestEntry&) = default;
};

struct CheckpointMetadataFile {
  CheckpointId id = kNoCheckpointId;
  std::vector<ManifestEntry> files;  // strictly increasing names
  Bytes user_metadata;

  friend bool operator==(const CheckpointMetadataFile&, const CheckpointMetadataFile&) = default;
};

struct MetadataLimits {
  std::size_t max_files = 1 << 16;
  std::size_t max_name_bytes = 200;
  std::uint64_t max_user_metadata_bytes = std::uint64_t{1} << 30;
};

Bytes encode_metadata_payload(const CheckpointMetadataFile& metadata);
Result<CheckpointMetadataFile> decode_metadata_payload(std::span<const std::uint8_t> payload,
                                                       const MetadataLimits& limits, const std::string& what);

}  // namespace ckptsim
