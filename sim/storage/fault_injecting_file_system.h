// FaultInjectingFileSystem: a FileSystem decorator (LevelDB's FaultInjectionTestEnv
// idea) that counts operations, injects storage faults and simulates a power loss.
//
//  * Counting: every mutating operation (create_dir, remove_dir, sync_dir,
//    new_writable_file, append, sync, close, rename, remove_file) is numbered 1, 2, ...
//    in issue order. Reads and listings are not counted and never fail by injection.
//  * Crash point: freeze_after(k) lets operations 1..k run; every later mutating
//    operation fails with kIoError and has no effect, as if the machine died after
//    operation k. power_loss() then drops what was not durable and unfreezes.
//  * Power loss: unsynced file data is dropped (files cut to their last synced size),
//    names created, renamed or removed since their directory's last sync revert
//    (UnsyncedDataTracker has the exact model). Optionally each file keeps a random
//    prefix of its unsynced tail (a torn last write). Handles opened before a power
//    loss fail every later call.
//  * Injected faults, each a kIoError with no effect unless stated:
//      fail_next(op, n)       the next n operations of that kind fail
//      tear_next_append(k)    the next append writes only its first k bytes, reports ok
//      set_random_faults(f)   per operation, with the given probabilities (torn appends
//                             keep a uniformly drawn strict prefix)
//      flip_bit(path, bit)    bit rot at rest: one bit of a stored file changes, its
//                             length and everything the tracker knows stay as they were
//  * forward_syncs = false: syncs are modelled only (see FaultInjectingFileSystemOptions).
//  * Deterministic: decisions come only from explicit calls and the Rng passed in; with
//    random faults set, each operation of a kind that has a probability draws exactly
//    one value, whatever the outcome.
// Not thread-safe, like the simulation it serves. The base must outlive this object and
// must not be changed behind its back while tracking.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "protocol/env/file_system.h"
#include "sim/random.h"
#include "sim/storage/unsynced_data_tracker.h"

namespace ckptsim::sim {

enum class FileOperation : std::uint8_t {
  kCreateDir,
  kRemoveDir,
  kSyncDir,
  kNewFile,
  kAppend,
  kSync,
  kClose,
  kRename,
  kRemoveFile,
};
inline constexpr std::size_t kFileOperationKinds = 9;
const char* file_operation_name(FileOperation operation);

struct RandomFileFaults {
  double append_failure_probability = 0.0;
  double torn_append_probability = 0.0;  // of the appends that did not fail
  double sync_failure_probability = 0.0;
  double rename_failure_probability = 0.0;
  double sync_dir_failure_probability = 0.0;
};

struct PowerLossOptions {
  // Each file under its durable name keeps a uniformly drawn prefix of its unsynced
  // tail (0..all of it) instead of none: a torn last write.
  bool keep_torn_tails = false;
};

struct FaultInjectingFileSystemOptions {
  // Pass sync() and sync_dir() on to the base. The tracker decides what a simulated
  // power loss keeps either way; turning this off makes crash-point enumeration and
  // simulations fast at the price of real durability of the base files.
  bool forward_syncs = true;
};

struct FileFaultCounters {
  std::uint64_t injected_failures = 0;  // operations failed by fail_next or random faults
  std::uint64_t torn_appends = 0;
  std::uint64_t frozen_rejections = 0;  // operations refused after the crash point
  std::uint64_t power_losses = 0;
  std::uint64_t bit_flips = 0;
};

class FaultInjectingFileSystem final : public FileSystem {
 public:
  FaultInjectingFileSystem(FileSystem& base, Rng rng, FaultInjectingFileSystemOptions options = {});
  ~FaultInjectingFileSystem() override;
  FaultInjectingFileSystem(const FaultInjectingFileSystem&) = delete;
  FaultInjectingFileSystem& operator=(const FaultInjectingFileSystem&) = delete;

  // --- counting and the crash point ---
  std::uint64_t operation_count() const { return operation_count_; }
  std::uint64_t operation_count(FileOperation operation) const {
    return per_kind_count_[static_cast<std::size_t>(operation)];
  }
  void freeze_after(std::uint64_t operations);
  bool is_frozen() const { return operation_count_ >= freeze_after_; }

  // --- faults ---
  void fail_next(FileOperation operation, std::uint32_t count = 1);
  void tear_next_append(std::uint64_t keep_bytes);
  void set_random_faults(RandomFileFaults faults);
  Status power_loss(PowerLossOptions options = {});
  Status flip_bit(const std::string& path, std::uint64_t bit_index);
  // Flips a uniformly drawn bit; returns its index.
  Result<std::uint64_t> flip_random_bit(const std::string& path);

  const FileFaultCounters& counters() const { return counters_; }
  std::uint64_t unsynced_bytes() const { return tracker_.unsynced_bytes(); }
  FileSystem& base() { return base_; }

  // --- FileSystem ---
  Status create_dir(const std::string& path) override;
  Status remove_dir(const std::string& path) override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path, std::size_t max_entries) override;
  Status sync_dir(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove_file(const std::string& path) override;
  Result<Bytes> read_file(const std::string& path, std::uint64_t max_bytes) override;
  Result<Bytes> read_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length) override;
  Result<bool> exists(const std::string& path) override;
  Result<std::uint64_t> file_size(const std::string& path) override;

 private:
  class File;
  friend class File;

  // Counts the operation and decides its fate: ok to run, or the injected error.
  Status admit(FileOperation operation, const std::string& path);
  bool draw_random_failure(FileOperation operation);
  std::uint64_t torn_length(std::uint64_t append_bytes);

  FileSystem& base_;
  Rng rng_;
  FaultInjectingFileSystemOptions options_;
  UnsyncedDataTracker tracker_;
  std::uint64_t operation_count_ = 0;
  std::array<std::uint64_t, kFileOperationKinds> per_kind_count_{};
  std::uint64_t freeze_after_ = UINT64_MAX;
  std::array<std::uint32_t, kFileOperationKinds> fail_next_{};
  std::optional<std::uint64_t> tear_next_append_bytes_;
  RandomFileFaults random_faults_;
  bool random_faults_set_ = false;
  std::uint64_t generation_ = 0;  // bumped by power_loss: older handles are stale
  std::map<std::uint64_t, File*> open_files_;  // by handle number, to release them all
  std::uint64_t next_handle_ = 0;
  FileFaultCounters counters_;
};

}  // namespace ckptsim::sim
