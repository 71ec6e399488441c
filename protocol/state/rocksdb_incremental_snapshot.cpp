#include "protocol/state/rocksdb_incremental_snapshot.h"

#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"

namespace ckptsim {
namespace {

constexpr std::size_t kMaxFilesPerList = 1 << 20;
constexpr std::size_t kMaxNameBytes = 4096;

void put_files(ByteWriter& w, const std::vector<CheckpointFileRef>& files) {
  w.put_u32(static_cast<std::uint32_t>(files.size()));
  for (const CheckpointFileRef& f : files) {
    w.put_string(f.local_name);
    w.put_string(f.storage_name);
    w.put_u64(f.size_bytes);
    w.put_u32(f.crc);
  }
}

Status read_files(ByteReader& r, std::vector<CheckpointFileRef>& files, const char* what) {
  std::uint32_t count = 0;
  if (Status s = r.read_u32(count, what); !s.is_ok()) return s;
  if (count > kMaxFilesPerList) return Status::corruption(std::string(what) + ": too many files");
  for (std::uint32_t i = 0; i < count; ++i) {
    CheckpointFileRef f;
    if (Status s = r.read_string(f.local_name, kMaxNameBytes, "local name"); !s.is_ok()) return s;
    if (Status s = r.read_string(f.storage_name, kMaxNameBytes, "storage name"); !s.is_ok()) return s;
    if (Status s = r.read_u64(f.size_bytes, "file size"); !s.is_ok()) return s;
    if (Status s = r.read_u32(f.crc, "file crc"); !s.is_ok()) return s;
    if (!files.empty() && !(files.back().local_name < f.local_name)) {
      return Status::corruption(std::string(what) + ": local names not strictly increasing at " + f.local_name);
    }
    files.push_back(std::move(f));
  }
  return Status::ok();
}

}  // namespace

std::uint64_t IncrementalSnapshotHandle::total_bytes() const {
  std::uint64_t total = 0;
  for (const CheckpointFileRef& f : shared_files) total += f.size_bytes;
  for (const CheckpointFileRef& f : private_files) total += f.size_bytes;
  return total;
}

Bytes encode_incremental_handle(const IncrementalSnapshotHandle& handle) {
  ByteWriter w;
  w.put_u32(kIncrementalHandleMagic);
  w.put_u32(kIncrementalHandleVersion);
  w.put_u64(handle.backend_uid);
  w.put_u32(handle.max_parallelism);
  w.put_u32(handle.key_group_range.start);
  w.put_u32(handle.key_group_range.end_inclusive);
  put_files(w, handle.shared_files);
  put_files(w, handle.private_files);
  Bytes bytes = std::move(w).take();
  const std::uint32_t crc = crc32c(bytes);
  const std::size_t at = bytes.size();
  bytes.resize(at + 4);
  store_le32(bytes.data() + at, crc);
  return bytes;
}

Result<IncrementalSnapshotHandle> decode_incremental_handle(const Bytes& bytes) {
  if (bytes.size() < 12) return Status::corruption("incremental handle: too short");
  const std::size_t body = bytes.size() - 4;
  if (crc32c(std::span<const std::uint8_t>(bytes.data(), body)) != load_le32(bytes.data() + body)) {
    return Status::corruption("incremental handle: checksum mismatch");
  }
  ByteReader r(std::span<const std::uint8_t>(bytes.data(), body));
  std::uint32_t magic = 0;
  std::uint32_t version = 0;
  if (Status s = r.read_u32(magic, "magic"); !s.is_ok()) return s;
  if (magic != kIncrementalHandleMagic) return Status::corruption("incremental handle: wrong magic");
  if (Status s = r.read_u32(version, "version"); !s.is_ok()) return s;
  if (version != kIncrementalHandleVersion) {
    return Status::corruption("incremental handle: unknown version " + std::to_string(version));
  }
  IncrementalSnapshotHandle h;
  if (Status s = r.read_u64(h.backend_uid, "backend uid"); !s.is_ok()) return s;
  if (Status s = r.read_u32(h.max_parallelism, "max parallelism"); !s.is_ok()) return s;
  if (Status s = r.read_u32(h.key_group_range.start, "range start"); !s.is_ok()) return s;
  if (Status s = r.read_u32(h.key_group_range.end_inclusive, "range end"); !s.is_ok()) return s;
  if (h.max_parallelism == 0 || h.max_parallelism > kMaxParallelismUpperBound ||
      h.key_group_range.start > h.key_group_range.end_inclusive ||
      h.key_group_range.end_inclusive >= h.max_parallelism) {
    return Status::corruption("incremental handle: invalid key group range or max parallelism");
  }
  if (Status s = read_files(r, h.shared_files, "shared files"); !s.is_ok()) return s;
  if (Status s = read_files(r, h.private_files, "private files"); !s.is_ok()) return s;
  if (Status s = r.expect_end("incremental handle"); !s.is_ok()) return Status::corruption(s.message());
  return h;
}

}  // namespace ckptsim
