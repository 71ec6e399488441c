// The handle of one task's RocksDB incremental snapshot (Flink's
// IncrementalRemoteKeyedStateHandle), and its binary encoding, version 1.
//
// A handle names every file needed to re-open the task's database as of the checkpoint:
//  * shared files: immutable SST files, uploaded once under a name unique to the
//    backend instance that wrote them ("<job>/shared/<uid>-<file name>") and
//    referred to by every later checkpoint that still contains them;
//  * private files: MANIFEST, CURRENT, OPTIONS (small, rewritten by every checkpoint),
//    stored inside the checkpoint's own directory.
// Each file has its local name (inside a RocksDB directory), its storage name, its size
// and the CRC-32C of its bytes, so a restore verifies every byte it downloads.
//
// Encoding (little-endian, ByteWriter conventions):
//   u32 magic "CKRI", u32 version, u64 backend uid, u32 max parallelism,
//   u32 range start, u32 range end (inclusive), u32 shared count, shared files,
//   u32 private count, private files, u32 CRC-32C over everything before it.
//   file = string local name, string storage name, u64 size, u32 crc.
// decode refuses (kCorruption) a wrong magic or version, a CRC mismatch, trailing
// bytes, an invalid range, or unsorted / duplicate local names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim {

inline constexpr std::uint32_t kIncrementalHandleMagic = 0x49524B43u;  // "CKRI"
inline constexpr std::uint32_t kIncrementalHandleVersion = 1;

struct CheckpointFileRef {
  std::string local_name;    // e.g. "000012.sst", "MANIFEST-000005"
  std::string storage_name;  // the blob name in checkpoint storage
  std::uint64_t size_bytes = 0;
  std::uint32_t crc = 0;     // CRC-32C of the file's bytes
  friend bool operator==(const CheckpointFileRef&, const CheckpointFileRef&) = default;
};

struct IncrementalSnapshotHandle {
  std::uint64_t backend_uid = 0;
  std::uint32_t max_parallelism = 0;
  KeyGroupRange key_group_range;
  std::vector<CheckpointFileRef> shared_files;   // sorted by local name
  std::vector<CheckpointFileRef> private_files;  // sorted by local name

  // Sum of all file sizes: what a full download of this handle reads.
  std::uint64_t total_bytes() const;
  friend bool operator==(const IncrementalSnapshotHandle&, const IncrementalSnapshotHandle&) = default;
};

Bytes encode_incremental_handle(const IncrementalSnapshotHandle& handle);
Result<IncrementalSnapshotHandle> decode_incremental_handle(const Bytes& bytes);

}  // namespace ckptsim
