#include "sim/storage/rocksdb_local_state_file_system.h"

namespace ckptsim::sim {
namespace {

class UnsyncedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  explicit UnsyncedFile(std::unique_ptr<rocksdb::FSWritableFile> target)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(target)) {}
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus RangeSync(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
};

class UnsyncedDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  explicit UnsyncedDirectory(std::unique_ptr<rocksdb::FSDirectory> target)
      : rocksdb::FSDirectoryWrapper(std::move(target)) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions&, rocksdb::IODebugContext*,
                                        const rocksdb::DirFsyncOptions&) override {
    return rocksdb::IOStatus::OK();
  }
};

}  // namespace

RocksDbLocalStateFileSystem::RocksDbLocalStateFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target)
    : rocksdb::FileSystemWrapper(target) {}

rocksdb::IOStatus RocksDbLocalStateFileSystem::NewWritableFile(const std::string& fname,
                                                               const rocksdb::FileOptions& options,
                                                               std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                               rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
  if (s.ok()) *result = std::make_unique<UnsyncedFile>(std::move(file));
  return s;
}

rocksdb::IOStatus RocksDbLocalStateFileSystem::NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                                            std::unique_ptr<rocksdb::FSDirectory>* result,
                                                            rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> directory;
  rocksdb::IOStatus s = target()->NewDirectory(name, options, &directory, dbg);
  if (s.ok()) *result = std::make_unique<UnsyncedDirectory>(std::move(directory));
  return s;
}

}  // namespace ckptsim::sim
