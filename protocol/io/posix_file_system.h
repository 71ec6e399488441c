// PosixFileSystem: the FileSystem interface (protocol/env/file_system.h) on POSIX calls.
//
//  * Writes go through a bounded user-space buffer (write_buffer_bytes); an append at
//    least as large as the buffer bypasses it. Every write(2) loop retries EINTR and
//    continues after short writes until all bytes are written or a real error occurs.
//  * sync() is fsync(2) of the file; sync_dir() opens the directory (O_DIRECTORY) and
//    fsyncs it (both without the fsync when options.sync_to_device is false); rename()
//    is rename(2), atomic within one file system.
//  * Reads loop over read(2)/pread(2) the same way (EINTR, short reads).
//  * All descriptors are opened O_CLOEXEC and closed on every path (RAII).
//  * Stateless apart from its options: one instance may serve many threads as long as
//    each WritableFile is used by one thread at a time.
#pragma once

#include <cstddef>

#include "protocol/env/file_system.h"

namespace ckptsim {

struct PosixFileSystemOptions {
  std::size_t write_buffer_bytes = 64 * 1024;  // per WritableFile
  unsigned file_mode = 0644;                   // new files, before the umask
  unsigned directory_mode = 0755;              // new directories, before the umask
  // false: sync() and sync_dir() write out the user-space buffer (and check that the
  // directory exists) but do not fsync(2). Only for scratch files nothing recovers from
  // after a real machine crash: the simulator's run directory, whose crashes are
  // modelled above this layer (FaultInjectingFileSystem tracks what was synced).
  bool sync_to_device = true;
};

class PosixFileSystem final : public FileSystem {
 public:
  explicit PosixFileSystem(PosixFileSystemOptions options = {});

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
  PosixFileSystemOptions options_;
};

// The Status for a failed POSIX call: ENOENT/ENOTDIR -> kNotFound, ENOSPC/EDQUOT ->
// kResourceExhausted, anything else kIoError; the message names call, path and reason.
Status posix_error(const char* call, const std::string& path, int error_number);

}  // namespace ckptsim
