#include "sim/storage/rocksdb_fault_injecting_file_system.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "protocol/base/assert.h"

namespace ckptsim::sim {
namespace {

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

}  // namespace

// A writable file whose appends and syncs are counted, may fail or tear, and are
// tracked for power loss.
class RocksDbFaultInjectingFileSystem::File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(RocksDbFaultInjectingFileSystem& fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> target)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    std::uint64_t write_bytes = 0;
    if (rocksdb::IOStatus s = fs_.before_append(path_, data.size(), write_bytes); !s.ok()) return s;
    const rocksdb::Slice part(data.data(), static_cast<std::size_t>(write_bytes));
    rocksdb::IOStatus s = target()->Append(part, options, dbg);
    if (s.ok()) fs_.after_append(path_, write_bytes);
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, std::uint64_t, const rocksdb::IOOptions&,
                                     rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("positioned appends are not fault-injected");
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, std::uint64_t, const rocksdb::IOOptions&,
                                     const rocksdb::DataVerificationInfo&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("positioned appends are not fault-injected");
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_.admit(RocksDbFileOperation::kSync, path_); !s.ok()) return s;
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_.after_sync(path_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_.admit(RocksDbFileOperation::kSync, path_); !s.ok()) return s;
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_.after_sync(path_);
    return s;
  }
  // A range sync promises nothing about durability; only Sync/Fsync count.
  rocksdb::IOStatus RangeSync(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_.admit(RocksDbFileOperation::kClose, path_); !s.ok()) return s;
    return target()->Close(options, dbg);
  }

 private:
  RocksDbFaultInjectingFileSystem& fs_;
  std::string path_;
};

// A directory handle whose fsync is counted, may fail, and makes the names in it durable.
class RocksDbFaultInjectingFileSystem::Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(RocksDbFaultInjectingFileSystem& fs, std::string path, std::unique_ptr<rocksdb::FSDirectory> target)
      : rocksdb::FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = fs_.admit(RocksDbFileOperation::kSyncDir, path_); !s.ok()) return s;
    rocksdb::IOStatus s = rocksdb::FSDirectoryWrapper::Fsync(options, dbg);
    if (s.ok()) fs_.after_dir_sync(path_);
    return s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    if (rocksdb::IOStatus s = fs_.admit(RocksDbFileOperation::kSyncDir, path_); !s.ok()) return s;
    rocksdb::IOStatus s = rocksdb::FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_.after_dir_sync(path_);
    return s;
  }

 private:
  RocksDbFaultInjectingFileSystem& fs_;
  std::string path_;
};

RocksDbFaultInjectingFileSystem::RocksDbFaultInjectingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target,
                                                                 Rng rng)
    : rocksdb::FileSystemWrapper(target), rng_(rng) {}

std::uint64_t RocksDbFaultInjectingFileSystem::operation_count() const {
  std::lock_guard lock(mutex_);
  return operation_count_;
}

void RocksDbFaultInjectingFileSystem::freeze_after(std::uint64_t operations) {
  std::lock_guard lock(mutex_);
  freeze_after_ = operations;
}

void RocksDbFaultInjectingFileSystem::fail_next(RocksDbFileOperation operation, std::uint32_t count) {
  std::lock_guard lock(mutex_);
  fail_next_[static_cast<std::size_t>(operation)] += count;
}

void RocksDbFaultInjectingFileSystem::tear_next_append(std::uint64_t keep_bytes) {
  std::lock_guard lock(mutex_);
  tear_next_append_ = keep_bytes;
}

void RocksDbFaultInjectingFileSystem::set_failing(RocksDbFileOperation operation, std::string prefix) {
  std::lock_guard lock(mutex_);
  failing_.emplace(operation, std::move(prefix));
}

void RocksDbFaultInjectingFileSystem::clear_failing() {
  std::lock_guard lock(mutex_);
  failing_.reset();
}

RocksDbFaultCounters RocksDbFaultInjectingFileSystem::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::admit_locked(RocksDbFileOperation operation,
                                                                const std::string& path) {
  const std::uint64_t number = ++operation_count_;
  if (number > freeze_after_) {
    ++counters_.frozen_failures;
    return rocksdb::IOStatus::IOError("injected crash: operation " + std::to_string(number) + " on " + path);
  }
  std::uint32_t& pending = fail_next_[static_cast<std::size_t>(operation)];
  if (pending > 0) {
    --pending;
    ++counters_.injected_failures;
    return rocksdb::IOStatus::IOError("injected failure of operation " + std::to_string(number) + " on " + path);
  }
  if (failing_.has_value() && failing_->first == operation && path.starts_with(failing_->second)) {
    ++counters_.injected_failures;
    return rocksdb::IOStatus::IOError("injected failure of operation " + std::to_string(number) + " on " + path);
  }
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::admit(RocksDbFileOperation operation, const std::string& path) {
  std::lock_guard lock(mutex_);
  return admit_locked(operation, path);
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::before_append(const std::string& path, std::uint64_t size,
                                                                 std::uint64_t& write_bytes) {
  std::lock_guard lock(mutex_);
  if (rocksdb::IOStatus s = admit_locked(RocksDbFileOperation::kAppend, path); !s.ok()) return s;
  write_bytes = size;
  if (tear_next_append_.has_value()) {
    write_bytes = std::min(size, *tear_next_append_);
    tear_next_append_.reset();
    ++counters_.torn_appends;
  }
  return rocksdb::IOStatus::OK();
}

void RocksDbFaultInjectingFileSystem::after_append(const std::string& path, std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  files_[path].written_bytes += bytes;
}

void RocksDbFaultInjectingFileSystem::after_sync(const std::string& path) {
  std::lock_guard lock(mutex_);
  FileState& state = files_[path];
  state.synced_bytes = state.written_bytes;
}

void RocksDbFaultInjectingFileSystem::after_dir_sync(const std::string& directory) {
  std::lock_guard lock(mutex_);
  for (auto& [path, state] : files_) {
    if (parent_of(path) == directory) state.name_durable = true;
  }
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::NewWritableFile(const std::string& fname,
                                                                   const rocksdb::FileOptions& options,
                                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                                   rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kNewFile, fname); !s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mutex_);
    files_[fname] = FileState{};
  }
  *result = std::make_unique<File>(*this, fname, std::move(file));
  return s;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::ReopenWritableFile(const std::string& fname,
                                                                      const rocksdb::FileOptions& options,
                                                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                                      rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kNewFile, fname); !s.ok()) return s;
  std::uint64_t size = 0;
  const bool existed = target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg).ok();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->ReopenWritableFile(fname, options, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mutex_);
    if (!files_.contains(fname)) files_[fname] = FileState{size, size, existed};
  }
  *result = std::make_unique<File>(*this, fname, std::move(file));
  return s;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::ReuseWritableFile(const std::string&, const std::string&,
                                                                     const rocksdb::FileOptions&,
                                                                     std::unique_ptr<rocksdb::FSWritableFile>*,
                                                                     rocksdb::IODebugContext*) {
  return rocksdb::IOStatus::NotSupported("file recycling is not fault-injected");
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::NewDirectory(const std::string& name,
                                                                const rocksdb::IOOptions& options,
                                                                std::unique_ptr<rocksdb::FSDirectory>* result,
                                                                rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> directory;
  rocksdb::IOStatus s = target()->NewDirectory(name, options, &directory, dbg);
  if (!s.ok()) return s;
  std::string path = name;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  *result = std::make_unique<Directory>(*this, path, std::move(directory));
  return s;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::RenameFile(const std::string& src, const std::string& target_name,
                                                              const rocksdb::IOOptions& options,
                                                              rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kRename, src); !s.ok()) return s;
  rocksdb::IOStatus s = target()->RenameFile(src, target_name, options, dbg);
  if (!s.ok()) return s;
  std::lock_guard lock(mutex_);
  auto it = files_.find(src);
  if (it == files_.end()) {
    // An untracked (durable) source: its content is durable, its new name is not.
    std::uint64_t size = 0;
    (void)target()->GetFileSize(target_name, options, &size, dbg);
    files_[target_name] = FileState{size, size, false};
    return s;
  }
  FileState moved = it->second;
  files_.erase(it);
  moved.name_durable = false;
  files_[target_name] = moved;
  return s;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::LinkFile(const std::string&, const std::string&,
                                                            const rocksdb::IOOptions&, rocksdb::IODebugContext*) {
  return rocksdb::IOStatus::NotSupported("hard links bypass fault injection; copy instead");
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::DeleteFile(const std::string& fname,
                                                              const rocksdb::IOOptions& options,
                                                              rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kDelete, fname); !s.ok()) return s;
  rocksdb::IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    std::lock_guard lock(mutex_);
    files_.erase(fname);
  }
  return s;
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::CreateDir(const std::string& dirname,
                                                             const rocksdb::IOOptions& options,
                                                             rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kCreateDir, dirname); !s.ok()) return s;
  return target()->CreateDir(dirname, options, dbg);
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::CreateDirIfMissing(const std::string& dirname,
                                                                      const rocksdb::IOOptions& options,
                                                                      rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kCreateDir, dirname); !s.ok()) return s;
  return target()->CreateDirIfMissing(dirname, options, dbg);
}

rocksdb::IOStatus RocksDbFaultInjectingFileSystem::DeleteDir(const std::string& dirname,
                                                             const rocksdb::IOOptions& options,
                                                             rocksdb::IODebugContext* dbg) {
  if (rocksdb::IOStatus s = admit(RocksDbFileOperation::kDeleteDir, dirname); !s.ok()) return s;
  return target()->DeleteDir(dirname, options, dbg);
}

Status RocksDbFaultInjectingFileSystem::power_loss(bool keep_torn_tails) {
  std::lock_guard lock(mutex_);
  ++counters_.power_losses;
  const rocksdb::IOOptions options;
  for (const auto& [path, state] : files_) {
    if (!state.name_durable) {
      const rocksdb::IOStatus s = target()->DeleteFile(path, options, nullptr);
      if (!s.ok() && !s.IsNotFound()) return Status::io_error("power loss: delete " + path + ": " + s.ToString());
      ++counters_.files_deleted;
      continue;
    }
    if (state.written_bytes == state.synced_bytes) continue;
    std::uint64_t keep = state.synced_bytes;
    if (keep_torn_tails) keep += rng_.uniform_below(state.written_bytes - state.synced_bytes + 1);
    // rocksdb's POSIX file system has no Truncate by path; the files are real files.
    std::error_code error;
    std::filesystem::resize_file(path, keep, error);
    if (error) return Status::io_error("power loss: truncate " + path + ": " + error.message());
    ++counters_.files_truncated;
  }
  files_.clear();
  freeze_after_ = UINT64_MAX;
  return Status::ok();
}

Status RocksDbFaultInjectingFileSystem::flip_bit(const std::string& path, std::uint64_t bit_index) {
  std::lock_guard lock(mutex_);
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!file) return Status::not_found("flip_bit: cannot open " + path);
  file.seekg(static_cast<std::streamoff>(bit_index / 8));
  char byte = 0;
  if (!file.get(byte)) {
    return Status::invalid_argument("flip_bit: " + path + " has no bit " + std::to_string(bit_index));
  }
  byte = static_cast<char>(byte ^ (1 << (bit_index % 8)));
  file.seekp(static_cast<std::streamoff>(bit_index / 8));
  if (!file.put(byte) || !file.flush()) return Status::io_error("flip_bit: cannot write " + path);
  return Status::ok();
}

}  // namespace ckptsim::sim
