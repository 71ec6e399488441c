#include "protocol/state/rocksdb_incremental_checkpointer.h"

#include <rocksdb/env.h>

#include <cstdio>

#include "protocol/base/assert.h"
#include "protocol/state/crc32c.h"
#include "protocol/state/rocksdb_env_util.h"

namespace ckptsim {
namespace {

std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

constexpr std::uint64_t kMaxSharedFileBytes = std::uint64_t{1} << 30;

}  // namespace

RocksDbIncrementalCheckpointer::RocksDbIncrementalCheckpointer(RocksDbStateBackend& backend,
                                                               FileCheckpointStorage& storage, std::string job,
                                                               std::string task_name, std::uint64_t backend_uid)
    : backend_(backend),
      storage_(storage),
      job_(std::move(job)),
      task_name_(std::move(task_name)),
      backend_uid_(backend_uid),
      confirmed_generation_(backend.generation()) {
  CKPT_ASSERT(!task_name_.empty(), "a task name names the private files");
}

RocksDbIncrementalCheckpointer::FileMap& RocksDbIncrementalCheckpointer::reusable_files() {
  // SST names are meaningful only within one database generation.
  if (confirmed_generation_ != backend_.generation()) {
    confirmed_.clear();
    pending_.clear();
    confirmed_generation_ = backend_.generation();
  }
  return confirmed_;
}

Result<IncrementalSnapshotHandle> RocksDbIncrementalCheckpointer::snapshot(CheckpointId id,
                                                                           IncrementalUploadStats* stats) {
  CKPT_ASSERT(id > kNoCheckpointId, "a checkpoint id is positive");
  (void)reusable_files();
  Result<LocalCheckpoint> local = backend_.create_local_checkpoint_for(id);
  if (!local.is_ok()) return local.status();
  const std::string& local_dir = local.value().directory;
  IncrementalSnapshotHandle handle;
  handle.backend_uid = backend_uid_;
  handle.max_parallelism = backend_.max_parallelism();
  handle.key_group_range = backend_.key_group_range();
  IncrementalUploadStats local_stats;
  Status uploaded = upload(local.value(), id, handle, local_stats);
  (void)remove_dir_recursively(backend_.env(), local_dir);
  if (!uploaded.is_ok()) return uploaded;
  const Bytes encoded = encode_incremental_handle(handle);
  if (Status s = storage_.write_state_file(job_, id, handle_file_name(task_name_), encoded); !s.is_ok()) return s;
  local_stats.private_bytes_uploaded += encoded.size();
  ++local_stats.private_files_uploaded;
  FileMap& files = pending_[id];
  for (const CheckpointFileRef& f : handle.shared_files) files.emplace(f.local_name, f);
  if (stats != nullptr) *stats = local_stats;
  return handle;
}

Status RocksDbIncrementalCheckpointer::upload(const LocalCheckpoint& local, CheckpointId id,
                                              IncrementalSnapshotHandle& handle, IncrementalUploadStats& stats) {
  const FileMap& reusable = confirmed_;
  for (const LocalCheckpointFile& file : local.files) {
    if (file.shared) {
      auto known = reusable.find(file.name);
      if (known != reusable.end() && known->second.size_bytes == file.size_bytes) {
        handle.shared_files.push_back(known->second);
        ++stats.shared_files_reused;
        continue;
      }
    }
    Result<Bytes> bytes = read_whole_file(backend_.env(), local.directory + "/" + file.name);
    if (!bytes.is_ok()) return bytes.status();
    CheckpointFileRef ref;
    ref.local_name = file.name;
    ref.size_bytes = bytes.value().size();
    ref.crc = crc32c(bytes.value());
    if (file.shared) {
      ref.storage_name = shared_prefix(job_) + hex16(backend_uid_) + "-g" + std::to_string(backend_.generation()) +
                         "-" + file.name;
      if (Status s = storage_.write(ref.storage_name, bytes.value()); !s.is_ok()) return s;
      ++stats.shared_files_uploaded;
      stats.shared_bytes_uploaded += ref.size_bytes;
      handle.shared_files.push_back(std::move(ref));
    } else {
      const std::string state_file = task_name_ + "." + file.name;
      ref.storage_name = state_file;
      if (Status s = storage_.write_state_file(job_, id, state_file, bytes.value()); !s.is_ok()) return s;
      ++stats.private_files_uploaded;
      stats.private_bytes_uploaded += ref.size_bytes;
      handle.private_files.push_back(std::move(ref));
    }
  }
  return Status::ok();
}

void RocksDbIncrementalCheckpointer::notify_checkpoint_complete(CheckpointId id) {
  (void)reusable_files();
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  confirmed_ = std::move(it->second);
  pending_.erase(pending_.begin(), std::next(it));
}

Result<std::string> RocksDbIncrementalCheckpointer::download(const RestoredCheckpoint& checkpoint,
                                                             const IncrementalSnapshotHandle& handle,
                                                             std::size_t index) {
  rocksdb::Env& env = backend_.env();
  const std::string dir = backend_.working_dir() + ".restore-" + std::to_string(index);
  if (Status s = remove_dir_recursively(env, dir); !s.is_ok()) return s;
  if (const rocksdb::Status s = env.CreateDir(dir); !s.ok()) return from_rocksdb(s, "create directory " + dir);
  auto fetch = [&](const CheckpointFileRef& f, bool shared) -> Status {
    Bytes bytes;
    if (shared) {
      Result<Bytes> read = storage_.read(f.storage_name);
      if (!read.is_ok()) return read.status();
      bytes = std::move(read).value();
    } else {
      auto it = checkpoint.state_files.find(f.storage_name);
      if (it == checkpoint.state_files.end()) return Status::corruption("private file missing: " + f.storage_name);
      bytes = it->second;
    }
    if (bytes.size() != f.size_bytes || crc32c(bytes) != f.crc) {
      return Status::corruption("checkpoint file " + f.storage_name + " differs from its handle");
    }
    if (bytes.size() > kMaxSharedFileBytes) return Status::resource_exhausted("checkpoint file too large");
    return write_whole_file(env, dir + "/" + f.local_name, bytes);
  };
  for (const CheckpointFileRef& f : handle.shared_files) {
    if (Status s = fetch(f, true); !s.is_ok()) return s;
  }
  for (const CheckpointFileRef& f : handle.private_files) {
    if (Status s = fetch(f, false); !s.is_ok()) return s;
  }
  return dir;
}

Status RocksDbIncrementalCheckpointer::restore(const RestoredCheckpoint& checkpoint,
                                               const std::vector<std::string>& task_names) {
  std::vector<IncrementalSnapshotHandle> handles;
  for (const std::string& task : task_names) {
    auto it = checkpoint.state_files.find(handle_file_name(task));
    if (it == checkpoint.state_files.end()) return Status::not_found("no incremental handle for task " + task);
    Result<IncrementalSnapshotHandle> handle = decode_incremental_handle(it->second);
    if (!handle.is_ok()) return handle.status();
    handles.push_back(std::move(handle).value());
  }
  std::vector<LocalRestoreSource> sources;
  std::vector<std::string> dirs;
  Status status = Status::ok();
  for (std::size_t i = 0; i < handles.size() && status.is_ok(); ++i) {
    const KeyGroupRange r = handles[i].key_group_range;
    const KeyGroupRange mine = backend_.key_group_range();
    if (r.end_inclusive < mine.start || mine.end_inclusive < r.start) continue;  // nothing of ours
    Result<std::string> dir = download(checkpoint, handles[i], i);
    if (!dir.is_ok()) {
      status = dir.status();
      break;
    }
    dirs.push_back(dir.value());
    sources.push_back(LocalRestoreSource{dir.value(), handles[i].max_parallelism, r});
  }
  if (status.is_ok()) status = backend_.restore_from_local_checkpoints(sources);
  for (const std::string& dir : dirs) (void)remove_dir_recursively(backend_.env(), dir);
  confirmed_.clear();
  pending_.clear();
  confirmed_generation_ = backend_.generation();
  if (status.is_ok() && sources.size() == 1 && sources[0].key_group_range == backend_.key_group_range()) {
    for (const IncrementalSnapshotHandle& h : handles) {
      if (!(h.key_group_range == backend_.key_group_range())) continue;
      for (const CheckpointFileRef& f : h.shared_files) confirmed_.emplace(f.local_name, f);
    }
  }
  return status;
}

}  // namespace ckptsim
