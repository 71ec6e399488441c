#include "protocol/state/rocksdb_checkpoint_store.h"

#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {
namespace {

constexpr std::uint32_t kSharedListMagic = 0x4C534B43u;  // "CKSL"
constexpr std::size_t kMaxSharedFiles = 1 << 20;

}  // namespace

Bytes encode_shared_file_list(const std::vector<std::string>& files) {
  ByteWriter w;
  w.put_u32(kSharedListMagic);
  w.put_u32(static_cast<std::uint32_t>(files.size()));
  for (const std::string& f : files) w.put_string(f);
  return std::move(w).take();
}

Result<std::vector<std::string>> decode_shared_file_list(const Bytes& bytes) {
  ByteReader r(bytes);
  std::uint32_t magic = 0;
  std::uint32_t count = 0;
  if (Status s = r.read_u32(magic, "shared list magic"); !s.is_ok()) return s;
  if (magic != kSharedListMagic) return Status::corruption("checkpoint metadata is not a shared file list");
  if (Status s = r.read_u32(count, "shared file count"); !s.is_ok()) return s;
  if (count > kMaxSharedFiles) return Status::corruption("too many shared files");
  std::vector<std::string> files(count);
  for (std::string& f : files) {
    if (Status s = r.read_string(f, 4096, "shared file name"); !s.is_ok()) return s;
  }
  if (Status s = r.expect_end("shared file list"); !s.is_ok()) return s;
  return files;
}

IncrementalCheckpointStore::IncrementalCheckpointStore(FileCheckpointStorage& storage, std::string job,
                                                       std::size_t num_retained)
    : storage_(storage), job_(std::move(job)), num_retained_(num_retained) {
  CKPT_ASSERT(num_retained_ >= 1, "at least one checkpoint is retained");
}

Status IncrementalCheckpointStore::complete_checkpoint(CheckpointId id,
                                                       const std::vector<IncrementalSnapshotHandle>& handles) {
  std::vector<std::string> shared;
  for (const IncrementalSnapshotHandle& h : handles) {
    for (const CheckpointFileRef& f : h.shared_files) shared.push_back(f.storage_name);
  }
  std::sort(shared.begin(), shared.end());
  shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
  if (Status s = storage_.commit_checkpoint(job_, id, encode_shared_file_list(shared)); !s.is_ok()) return s;
  registry_.register_checkpoint(id, std::move(shared));
  return Status::ok();
}

Status IncrementalCheckpointStore::subsume() {
  Result<RetentionReport> report = storage_.retain(job_, num_retained_);
  if (!report.is_ok()) return report.status();
  for (CheckpointId old : report.value().removed_completed) {
    for (const std::string& file : registry_.unregister_checkpoint(old)) {
      if (Status s = storage_.remove(file); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

Result<std::vector<std::string>> IncrementalCheckpointStore::shared_files_of(CheckpointId id) {
  Result<Bytes> metadata = storage_.read(FileCheckpointStorage::metadata_name(job_, id));
  if (!metadata.is_ok()) return metadata.status();
  return decode_shared_file_list(metadata.value());
}

Status IncrementalCheckpointStore::verify_shared_files(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    Result<Bytes> bytes = storage_.read(file);
    if (!bytes.is_ok()) {
      return Status::error(bytes.status().code(), "shared file " + file + ": " + bytes.status().message());
    }
  }
  return Status::ok();
}

Result<RecoveredIncrementalCheckpoint> IncrementalCheckpointStore::recover() {
  Result<std::vector<CheckpointId>> completed = storage_.list_completed(job_);
  if (!completed.is_ok()) return completed.status();
  RecoveredIncrementalCheckpoint out;
  SharedStateRegistry rebuilt;
  bool found = false;
  const std::vector<CheckpointId>& ids = completed.value();
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    Result<std::vector<std::string>> shared = shared_files_of(*it);
    if (!shared.is_ok()) {
      out.skipped.push_back("chk-" + std::to_string(*it) + ": " + shared.status().to_string());
      continue;
    }
    rebuilt.register_checkpoint(*it, shared.value());
    if (found) continue;
    Result<RestoredCheckpoint> checkpoint = storage_.read_checkpoint(job_, *it);
    Status verified = checkpoint.is_ok() ? verify_shared_files(shared.value()) : checkpoint.status();
    if (!verified.is_ok()) {
      out.skipped.push_back("chk-" + std::to_string(*it) + ": " + verified.to_string());
      continue;
    }
    out.checkpoint = std::move(checkpoint).value();
    found = true;
  }
  registry_ = std::move(rebuilt);
  Result<std::vector<std::string>> listed = storage_.list(shared_prefix(job_));
  if (!listed.is_ok()) return listed.status();
  for (const std::string& file : listed.value()) {
    if (registry_.reference_count(file) != 0) continue;
    if (Status s = storage_.remove(file); !s.is_ok()) return s;
    out.swept_files.push_back(file);
  }
  if (!found) return Status::not_found("no intact completed incremental checkpoint of job " + job_);
  return out;
}

}  // namespace ckptsim
