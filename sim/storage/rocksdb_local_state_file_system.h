// RocksDbLocalStateFileSystem: a rocksdb::FileSystemWrapper for the simulator's task-local
// RocksDB directories that turns file and directory fsyncs into no-ops.
//
// Why this is sound: local state is never a source of recovery. A crashed or cancelled
// task's directory is deleted and the task restores from a checkpoint, so the local
// files need no durability; an fsync would only cost real time (a simulated cluster
// opens, flushes and destroys many small databases). Everything else is forwarded, so
// the bytes RocksDB reads are exactly the bytes it wrote. Never use it for checkpoint
// storage, which must be durable.
// Thread-safe (stateless beyond the target).
#pragma once

#include <rocksdb/file_system.h>

#include <memory>

namespace ckptsim::sim {

class RocksDbLocalStateFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit RocksDbLocalStateFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target);

  static const char* kClassName() { return "CkptsimRocksDbLocalStateFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) override;
};

}  // namespace ckptsim::sim
