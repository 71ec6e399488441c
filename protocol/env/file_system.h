// FileSystem: the small slice of a file system that checkpoint storage needs, as an
// interface passed in (LevelDB's Env idea). protocol/io/posix_file_system.h implements
// it with POSIX calls; the simulator decorates it to inject faults and to model what a
// power loss keeps (sim/storage/fault_injecting_file_system.h).
//
// Paths are '/'-separated strings, used as given (absolute, or relative to the process's
// working directory). Every operation reports expected failures as values:
//   kNotFound          the path (or a parent directory) does not exist
//   kResourceExhausted the disk or a quota is full, or a read exceeds its byte bound
//   kIoError           any other failure of the underlying call (message names the
//                      call, the path and the system's reason)
// Nothing here throws.
//
// Durability model (what a power loss may keep, and what callers must do about it):
//  * Bytes appended to a WritableFile are durable only once sync() returned ok.
//  * Creating, renaming or removing a name is durable only once sync_dir() on the
//    directory holding that name returned ok (for a rename: the directories of both
//    the old and the new name).
//  * rename() replaces an existing target atomically: a reader (and a power loss, once
//    the directory is synced) sees either the old or the new file, never a mix.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

// A file being written sequentially. Not thread-safe. The destructor closes the file if
// close() was not called (ignoring errors), so a failed writer never leaks a descriptor.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends bytes at the end. An ok Status means accepted (possibly buffered), not durable.
  virtual Status append(std::span<const std::uint8_t> data) = 0;
  // Makes everything appended so far durable (fsync).
  virtual Status sync() = 0;
  // Flushes and releases the file. Further calls other than close() are programmer
  // errors; close() after close() returns ok.
  virtual Status close() = 0;
};

struct DirEntry {
  std::string name;  // one path component, never "." or ".."
  bool is_directory = false;

  friend bool operator==(const DirEntry&, const DirEntry&) = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates one directory (its parent must exist). Ok if it already exists as a
  // directory. Durable once its parent is synced.
  virtual Status create_dir(const std::string& path) = 0;
  // Removes an empty directory. kNotFound if absent; kIoError if not empty.
  virtual Status remove_dir(const std::string& path) = 0;
  // The directory's entries sorted by name (byte order), without "." and "..".
  // At most max_entries; more is kResourceExhausted.
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& path, std::size_t max_entries) = 0;
  // fsync of the directory itself: makes creations, renames and removals of its
  // entries durable.
  virtual Status sync_dir(const std::string& path) = 0;

  // Creates the file, or truncates it if it exists, for sequential writing.
  virtual Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) = 0;
  // Atomically renames a file, replacing `to` if it exists.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Removes a file. kNotFound if absent.
  virtual Status remove_file(const std::string& path) = 0;

  // The whole file. kResourceExhausted (nothing read) if it is larger than max_bytes.
  virtual Result<Bytes> read_file(const std::string& path, std::uint64_t max_bytes) = 0;
  // Exactly `length` bytes at `offset`; kIoError if the file ends before.
  virtual Result<Bytes> read_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length) = 0;
  // Whether anything (file or directory) exists at path.
  virtual Result<bool> exists(const std::string& path) = 0;
  // Size in bytes of a file. kNotFound if absent.
  virtual Result<std::uint64_t> file_size(const std::string& path) = 0;
};

// "a" + "/" + "b", with exactly one separator between non-empty parts.
inline std::string join_path(const std::string& directory, const std::string& name) {
  if (directory.empty()) return name;
  if (directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

}  // namespace ckptsim
