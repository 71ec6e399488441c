#include "sim/storage/fault_injecting_file_system.h"

#include <algorithm>
#include <utility>

namespace ckptsim::sim {
namespace {

constexpr std::uint64_t kMaxFlipFileBytes = std::uint64_t{1} << 31;

std::size_t index_of(FileOperation operation) { return static_cast<std::size_t>(operation); }

}  // namespace

const char* file_operation_name(FileOperation operation) {
  switch (operation) {
    case FileOperation::kCreateDir: return "create_dir";
    case FileOperation::kRemoveDir: return "remove_dir";
    case FileOperation::kSyncDir: return "sync_dir";
    case FileOperation::kNewFile: return "new_writable_file";
    case FileOperation::kAppend: return "append";
    case FileOperation::kSync: return "sync";
    case FileOperation::kClose: return "close";
    case FileOperation::kRename: return "rename";
    case FileOperation::kRemoveFile: return "remove_file";
  }
  CKPT_UNREACHABLE("unknown file operation");
}

// A WritableFile whose every call goes through the decorator's admission and tracking.
// After a power loss (or once released) it holds no base file and fails every call.
class FaultInjectingFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectingFileSystem& fs, std::unique_ptr<WritableFile> base, std::string path,
       UnsyncedDataTracker::InodeId inode, std::uint64_t handle)
      : fs_(fs), base_(std::move(base)), path_(std::move(path)), inode_(inode), handle_(handle) {
    fs_.open_files_.emplace(handle_, this);
  }
  ~File() override {
    fs_.open_files_.erase(handle_);
    release();
  }

  Status append(std::span<const std::uint8_t> data) override {
    CKPT_ASSERT(!closed_, "append after close");
    if (base_ == nullptr) return stale();
    if (Status s = fs_.admit(FileOperation::kAppend, path_); !s.is_ok()) return s;
    const std::uint64_t kept = fs_.torn_length(data.size());
    if (Status s = base_->append(data.first(static_cast<std::size_t>(kept))); !s.is_ok()) return s;
    fs_.tracker_.commit_append(inode_, kept);
    return Status::ok();
  }

  Status sync() override {
    CKPT_ASSERT(!closed_, "sync after close");
    if (base_ == nullptr) return stale();
    if (Status s = fs_.admit(FileOperation::kSync, path_); !s.is_ok()) return s;
    if (fs_.options_.forward_syncs) {
      if (Status s = base_->sync(); !s.is_ok()) return s;
    }
    fs_.tracker_.commit_sync(inode_);
    return Status::ok();
  }

  Status close() override {
    if (closed_) return Status::ok();
    closed_ = true;
    if (base_ == nullptr) return stale();
    Status admitted = fs_.admit(FileOperation::kClose, path_);
    // Like close(2), the handle is released whatever the outcome.
    Status closed = base_->close();
    base_.reset();
    return admitted.is_ok() ? closed : admitted;
  }

  // Drops the base handle (flushing what it buffered into the file, unsynced).
  void release() {
    if (base_ != nullptr) (void)base_->close();
    base_.reset();
  }

 private:
  Status stale() const { return Status::io_error(path_ + ": file handle lost to a simulated power loss"); }

  FaultInjectingFileSystem& fs_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
  UnsyncedDataTracker::InodeId inode_;
  std::uint64_t handle_;
  bool closed_ = false;
};

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem& base, Rng rng, FaultInjectingFileSystemOptions options)
    : base_(base), rng_(std::move(rng)), options_(options), tracker_(base) {}

FaultInjectingFileSystem::~FaultInjectingFileSystem() {
  CKPT_ASSERT(open_files_.empty(), "every file handle is destroyed before its file system");
}

void FaultInjectingFileSystem::freeze_after(std::uint64_t operations) { freeze_after_ = operations; }

void FaultInjectingFileSystem::fail_next(FileOperation operation, std::uint32_t count) {
  fail_next_[index_of(operation)] = count;
}

void FaultInjectingFileSystem::tear_next_append(std::uint64_t keep_bytes) { tear_next_append_bytes_ = keep_bytes; }

void FaultInjectingFileSystem::set_random_faults(RandomFileFaults faults) {
  for (const double p : {faults.append_failure_probability, faults.torn_append_probability,
                         faults.sync_failure_probability, faults.rename_failure_probability,
                         faults.sync_dir_failure_probability}) {
    CKPT_ASSERT(p >= 0.0 && p <= 1.0, "fault probabilities lie in [0, 1]");
  }
  random_faults_ = faults;
  random_faults_set_ = true;
}

bool FaultInjectingFileSystem::draw_random_failure(FileOperation operation) {
  if (!random_faults_set_) return false;
  switch (operation) {
    case FileOperation::kAppend: return rng_.bernoulli(random_faults_.append_failure_probability);
    case FileOperation::kSync: return rng_.bernoulli(random_faults_.sync_failure_probability);
    case FileOperation::kRename: return rng_.bernoulli(random_faults_.rename_failure_probability);
    case FileOperation::kSyncDir: return rng_.bernoulli(random_faults_.sync_dir_failure_probability);
    case FileOperation::kCreateDir:
    case FileOperation::kRemoveDir:
    case FileOperation::kNewFile:
    case FileOperation::kClose:
    case FileOperation::kRemoveFile:
      return false;
  }
  CKPT_UNREACHABLE("unknown file operation");
}

Status FaultInjectingFileSystem::admit(FileOperation operation, const std::string& path) {
  const std::string what = std::string(file_operation_name(operation)) + "(" + path + ")";
  if (is_frozen()) {
    ++counters_.frozen_rejections;
    return Status::io_error(what + ": simulated crash, the file system accepts no more operations");
  }
  ++operation_count_;
  ++per_kind_count_[index_of(operation)];
  std::uint32_t& pending = fail_next_[index_of(operation)];
  const bool explicit_failure = pending > 0;
  if (explicit_failure) --pending;
  const bool random_failure = draw_random_failure(operation);
  if (!explicit_failure && !random_failure) return Status::ok();
  ++counters_.injected_failures;
  return Status::io_error(what + ": injected failure");
}

std::uint64_t FaultInjectingFileSystem::torn_length(std::uint64_t append_bytes) {
  if (tear_next_append_bytes_.has_value()) {
    const std::uint64_t kept = std::min(*tear_next_append_bytes_, append_bytes);
    tear_next_append_bytes_.reset();
    ++counters_.torn_appends;
    return kept;
  }
  if (!random_faults_set_ || !rng_.bernoulli(random_faults_.torn_append_probability) || append_bytes == 0) {
    return append_bytes;
  }
  ++counters_.torn_appends;
  return rng_.uniform_below(append_bytes);
}

Status FaultInjectingFileSystem::power_loss(PowerLossOptions options) {
  // Handles first: closing one flushes its buffered (unsynced) bytes into the file
  // before the tracker cuts the file back.
  for (const auto& [handle, file] : open_files_) file->release();
  UnsyncedDataTracker::TailPolicy keep_tail;
  if (options.keep_torn_tails) {
    keep_tail = [this](std::uint64_t unsynced) { return unsynced == 0 ? 0 : rng_.uniform_below(unsynced + 1); };
  }
  Status status = tracker_.power_loss(keep_tail);
  freeze_after_ = UINT64_MAX;
  ++counters_.power_losses;
  return status;
}

Status FaultInjectingFileSystem::flip_bit(const std::string& path, std::uint64_t bit_index) {
  Result<Bytes> bytes = base_.read_file(path, kMaxFlipFileBytes);
  if (!bytes.is_ok()) return bytes.status();
  Bytes& data = bytes.value();
  if (bit_index / 8 >= data.size()) {
    return Status::invalid_argument(path + " has no bit " + std::to_string(bit_index));
  }
  data[bit_index / 8] ^= static_cast<std::uint8_t>(1u << (bit_index % 8));
  Result<std::unique_ptr<WritableFile>> file = base_.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  Status status = file.value()->append(data);
  Status closed = file.value()->close();
  if (status.is_ok() && closed.is_ok()) ++counters_.bit_flips;
  return status.is_ok() ? closed : status;
}

Result<std::uint64_t> FaultInjectingFileSystem::flip_random_bit(const std::string& path) {
  Result<std::uint64_t> size = base_.file_size(path);
  if (!size.is_ok()) return size.status();
  if (size.value() == 0) return Status::invalid_argument(path + " is empty: no bit to flip");
  const std::uint64_t bit = rng_.uniform_below(size.value() * 8);
  if (Status s = flip_bit(path, bit); !s.is_ok()) return s;
  return bit;
}

// --- FileSystem: mutating operations are admitted, prepared, run, then committed ---

Status FaultInjectingFileSystem::create_dir(const std::string& path) {
  if (Status s = admit(FileOperation::kCreateDir, path); !s.is_ok()) return s;
  if (Status s = tracker_.prepare_directory_change(path); !s.is_ok()) return s;
  Status status = base_.create_dir(path);
  if (status.is_ok()) tracker_.commit_create_dir(path);
  return status;
}

Status FaultInjectingFileSystem::remove_dir(const std::string& path) {
  if (Status s = admit(FileOperation::kRemoveDir, path); !s.is_ok()) return s;
  if (Status s = tracker_.prepare_directory_change(path); !s.is_ok()) return s;
  Status status = base_.remove_dir(path);
  if (status.is_ok()) tracker_.commit_remove_dir(path);
  return status;
}

Status FaultInjectingFileSystem::sync_dir(const std::string& path) {
  if (Status s = admit(FileOperation::kSyncDir, path); !s.is_ok()) return s;
  if (Status s = tracker_.prepare_sync_dir(path); !s.is_ok()) return s;
  Status status = options_.forward_syncs ? base_.sync_dir(path) : Status::ok();
  if (status.is_ok()) tracker_.commit_sync_dir(path);
  return status;
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::new_writable_file(const std::string& path) {
  if (Status s = admit(FileOperation::kNewFile, path); !s.is_ok()) return s;
  Result<UnsyncedDataTracker::SavedCopy> saved = tracker_.prepare_replace(path);
  if (!saved.is_ok()) return saved.status();
  Result<std::unique_ptr<WritableFile>> file = base_.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  const UnsyncedDataTracker::InodeId inode = tracker_.commit_new_file(path, std::move(saved).value());
  return std::unique_ptr<WritableFile>(
      std::make_unique<File>(*this, std::move(file).value(), path, inode, next_handle_++));
}

Status FaultInjectingFileSystem::rename(const std::string& from, const std::string& to) {
  if (Status s = admit(FileOperation::kRename, from + " -> " + to); !s.is_ok()) return s;
  Result<UnsyncedDataTracker::SavedCopy> saved = tracker_.prepare_rename(from, to);
  if (!saved.is_ok()) return saved.status();
  Status status = base_.rename(from, to);
  if (status.is_ok()) tracker_.commit_rename(from, to, std::move(saved).value());
  return status;
}

Status FaultInjectingFileSystem::remove_file(const std::string& path) {
  if (Status s = admit(FileOperation::kRemoveFile, path); !s.is_ok()) return s;
  Result<UnsyncedDataTracker::SavedCopy> saved = tracker_.prepare_replace(path);
  if (!saved.is_ok()) return saved.status();
  Status status = base_.remove_file(path);
  if (status.is_ok()) tracker_.commit_remove_file(path, std::move(saved).value());
  return status;
}

// --- reads pass through ---

Result<std::vector<DirEntry>> FaultInjectingFileSystem::list_dir(const std::string& path, std::size_t max_entries) {
  return base_.list_dir(path, max_entries);
}

Result<Bytes> FaultInjectingFileSystem::read_file(const std::string& path, std::uint64_t max_bytes) {
  return base_.read_file(path, max_bytes);
}

Result<Bytes> FaultInjectingFileSystem::read_file_range(const std::string& path, std::uint64_t offset,
                                                        std::uint64_t length) {
  return base_.read_file_range(path, offset, length);
}

Result<bool> FaultInjectingFileSystem::exists(const std::string& path) { return base_.exists(path); }

Result<std::uint64_t> FaultInjectingFileSystem::file_size(const std::string& path) { return base_.file_size(path); }

}  // namespace ckptsim::sim
