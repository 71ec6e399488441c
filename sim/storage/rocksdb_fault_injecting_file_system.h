// RocksDbFaultInjectingFileSystem: a rocksdb::FileSystemWrapper that injects storage
// faults under a RocksDB instance (the RocksDB backend's local working directory), the
// twin of FaultInjectingFileSystem (fault_injecting_file_system.h) for RocksDB's own
// file API. Hand it to the backend through RocksDbBackendOptions::env (wrap it with
// rocksdb::NewCompositeEnv); production passes no Env and gets RocksDB's default.
//
//  * Counting: the mutating operations RocksDB issues (new file, append, sync, close,
//    rename, delete, directory create/delete/fsync) are numbered 1, 2, ... under one
//    mutex (RocksDB calls from background threads). The numbering is deterministic when
//    RocksDB's background work is (auto compactions off, flushes only on request).
//  * Crash point: freeze_after(k) lets operations 1..k run; every later mutating
//    operation fails with an IOError and has no effect (the machine died after k).
//    power_loss() then drops what was not durable and unfreezes.
//  * Power loss (LevelDB's FaultInjectionTestEnv model): every file written through
//    this object is cut to its last synced length (optionally keeping a prefix of the
//    unsynced tail: a torn write, drawn from the Rng); files created since their
//    directory's last fsync are deleted. Files it never saw count as durable. Renames
//    carry the source's state to the target. (The full namespace model of
//    UnsyncedDataTracker needs every name RocksDB creates to go through a tracked call;
//    RocksDB creates some outside this API, e.g. its LOCK file, so the simpler model.)
//  * Injected faults: fail_next(op, n) makes the next n operations of a kind fail with
//    an IOError and no effect; tear_next_append(k) writes only the first k bytes of the
//    next append and reports ok; flip_bit(path, bit) changes one bit of a stored file
//    (bit rot at rest; RocksDB's block checksums must catch it); set_failing(op, prefix)
//    fails every operation of a kind under a directory until clear_failing().
//  * LinkFile is refused (NotSupported), so RocksDB's checkpoints copy files through
//    the counted, fault-injected path instead of hard-linking around it.
// Thread-safe. The target must outlive this object and must be a real (POSIX) file
// system: power_loss() and flip_bit() change the files by path.
#pragma once

#include <rocksdb/file_system.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "protocol/base/status.h"
#include "sim/random.h"

namespace ckptsim::sim {

enum class RocksDbFileOperation : std::uint8_t {
  kNewFile,
  kAppend,
  kSync,
  kClose,
  kRename,
  kDelete,
  kCreateDir,
  kDeleteDir,
  kSyncDir,
};
inline constexpr std::size_t kRocksDbFileOperationKinds = 9;

struct RocksDbFaultCounters {
  std::uint64_t injected_failures = 0;
  std::uint64_t torn_appends = 0;
  std::uint64_t frozen_failures = 0;
  std::uint64_t power_losses = 0;
  std::uint64_t files_truncated = 0;  // by power losses
  std::uint64_t files_deleted = 0;    // by power losses
};

class RocksDbFaultInjectingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  RocksDbFaultInjectingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target, Rng rng);

  static const char* kClassName() { return "CkptsimRocksDbFaultInjectingFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // --- fault control ---
  std::uint64_t operation_count() const;
  void freeze_after(std::uint64_t operations);
  void fail_next(RocksDbFileOperation operation, std::uint32_t count = 1);
  void tear_next_append(std::uint64_t keep_bytes);
  // Until clear_failing(), every `operation` on a path starting with `prefix` fails
  // (an IOError, no effect). One such rule at a time.
  void set_failing(RocksDbFileOperation operation, std::string prefix);
  void clear_failing();
  // Drops what was not durable (see the header comment) and unfreezes. Open files keep
  // working on the truncated content; callers close the database first.
  Status power_loss(bool keep_torn_tails = false);
  Status flip_bit(const std::string& path, std::uint64_t bit_index);
  RocksDbFaultCounters counters() const;

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& target, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Directory;
  friend class File;
  friend class Directory;
  struct FileState {
    std::uint64_t written_bytes = 0;
    std::uint64_t synced_bytes = 0;
    bool name_durable = false;  // its directory was fsynced since it was created
  };

  // Counts one operation and decides whether it may run (locked by the caller).
  rocksdb::IOStatus admit_locked(RocksDbFileOperation operation, const std::string& path);
  rocksdb::IOStatus admit(RocksDbFileOperation operation, const std::string& path);
  // Called by File: returns how many bytes of `size` to really write (tears), or an error.
  rocksdb::IOStatus before_append(const std::string& path, std::uint64_t size, std::uint64_t& write_bytes);
  void after_append(const std::string& path, std::uint64_t bytes);
  void after_sync(const std::string& path);
  void after_dir_sync(const std::string& directory);

  mutable std::mutex mutex_;
  Rng rng_;
  std::uint64_t operation_count_ = 0;
  std::uint64_t freeze_after_ = UINT64_MAX;
  std::array<std::uint32_t, kRocksDbFileOperationKinds> fail_next_{};
  std::optional<std::uint64_t> tear_next_append_;
  std::optional<std::pair<RocksDbFileOperation, std::string>> failing_;
  std::map<std::string, FileState> files_;  // by path; ordered, so power loss is deterministic
  RocksDbFaultCounters counters_;
};

}  // namespace ckptsim::sim
