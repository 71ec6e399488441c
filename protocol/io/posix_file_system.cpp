#include "protocol/io/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace ckptsim {
namespace {

// Upper bound on one read(2)/write(2) request: Linux transfers at most ~2 GiB per call.
constexpr std::size_t kMaxTransferBytes = std::size_t{1} << 30;

// Owns one file descriptor; closes it (ignoring errors) unless released.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

int open_retrying(const std::string& path, int flags, unsigned mode = 0) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags, static_cast<mode_t>(mode));
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Writes all of data, retrying EINTR and continuing after short writes.
Status write_fully(int fd, const std::string& path, std::span<const std::uint8_t> data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const std::size_t request = std::min(data.size() - written, kMaxTransferBytes);
    const ssize_t n = ::write(fd, data.data() + written, request);
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix_error("write", path, errno);
    }
    CKPT_ASSERT(n > 0 || request == 0, "write(2) of a non-empty buffer returned 0 without an error");
    written += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

// Reads exactly out.size() bytes at offset (pread, so the descriptor's position is
// irrelevant), retrying EINTR; kIoError if the file ends first.
Status pread_fully(int fd, const std::string& path, std::uint64_t offset, std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t request = std::min(out.size() - done, kMaxTransferBytes);
    const ssize_t n = ::pread(fd, out.data() + done, request, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix_error("pread", path, errno);
    }
    if (n == 0) {
      return Status::io_error("pread(" + path + "): file ended after " + std::to_string(offset + done) +
                              " bytes, " + std::to_string(out.size() - done) + " more expected");
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

Status fsync_retrying(int fd, const std::string& path) {
  int rc = 0;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? Status::ok() : posix_error("fsync", path, errno);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, std::size_t buffer_bytes, bool sync_to_device)
      : fd_(fd), path_(std::move(path)), sync_to_device_(sync_to_device) {
    buffer_.reserve(buffer_bytes);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)close();
  }

  Status append(std::span<const std::uint8_t> data) override {
    CKPT_ASSERT(fd_ >= 0, "append to a closed file");
    if (buffer_.size() + data.size() <= buffer_.capacity()) {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      return Status::ok();
    }
    if (Status s = flush(); !s.is_ok()) return s;
    if (data.size() < buffer_.capacity()) {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      return Status::ok();
    }
    return write_fully(fd_, path_, data);  // large appends bypass the buffer
  }

  Status sync() override {
    CKPT_ASSERT(fd_ >= 0, "sync of a closed file");
    if (Status s = flush(); !s.is_ok()) return s;
    return sync_to_device_ ? fsync_retrying(fd_, path_) : Status::ok();
  }

  Status close() override {
    if (fd_ < 0) return Status::ok();
    Status status = flush();
    // close(2) is not retried on EINTR: on Linux the descriptor is released either way.
    if (::close(fd_) != 0 && status.is_ok()) status = posix_error("close", path_, errno);
    fd_ = -1;
    return status;
  }

 private:
  Status flush() {
    if (buffer_.empty()) return Status::ok();
    Status status = write_fully(fd_, path_, buffer_);
    buffer_.clear();  // on failure the bytes are lost; the caller sees the error
    return status;
  }

  int fd_;
  std::string path_;
  bool sync_to_device_;
  Bytes buffer_;  // capacity fixed at construction: the buffer bound
};

}  // namespace

Status posix_error(const char* call, const std::string& path, int error_number) {
  std::string message =
      std::string(call) + "(" + path + "): " + std::generic_category().message(error_number);
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return Status::not_found(std::move(message));
    case ENOSPC:
    case EDQUOT:
      return Status::resource_exhausted(std::move(message));
    default:
      return Status::io_error(std::move(message));
  }
}

PosixFileSystem::PosixFileSystem(PosixFileSystemOptions options) : options_(options) {
  CKPT_ASSERT(options_.write_buffer_bytes > 0, "the write buffer needs room for at least one byte");
}

Status PosixFileSystem::create_dir(const std::string& path) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(options_.directory_mode)) == 0) return Status::ok();
  const int error_number = errno;
  if (error_number == EEXIST) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return Status::ok();
    return Status::io_error("mkdir(" + path + "): exists and is not a directory");
  }
  return posix_error("mkdir", path, error_number);
}

Status PosixFileSystem::remove_dir(const std::string& path) {
  if (::rmdir(path.c_str()) == 0) return Status::ok();
  return posix_error("rmdir", path, errno);
}

Result<std::vector<DirEntry>> PosixFileSystem::list_dir(const std::string& path, std::size_t max_entries) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return posix_error("opendir", path, errno);
  std::vector<DirEntry> entries;
  Status status = Status::ok();
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) status = posix_error("readdir", path, errno);
      break;
    }
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (entries.size() == max_entries) {
      status = Status::resource_exhausted("directory " + path + " holds more than " + std::to_string(max_entries) +
                                          " entries");
      break;
    }
    bool is_directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat info {};
      is_directory = ::lstat(join_path(path, name).c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    }
    entries.push_back(DirEntry{name, is_directory});
  }
  ::closedir(dir);
  if (!status.is_ok()) return status;
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

Status PosixFileSystem::sync_dir(const std::string& path) {
  FileDescriptor fd(open_retrying(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open", path, errno);
  return options_.sync_to_device ? fsync_retrying(fd.get(), path) : Status::ok();
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::new_writable_file(const std::string& path) {
  const int fd = open_retrying(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, options_.file_mode);
  if (fd < 0) return posix_error("open", path, errno);
  return std::unique_ptr<WritableFile>(
      new PosixWritableFile(fd, path, options_.write_buffer_bytes, options_.sync_to_device));
}

Status PosixFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) == 0) return Status::ok();
  return posix_error("rename", from + " -> " + to, errno);
}

Status PosixFileSystem::remove_file(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return Status::ok();
  return posix_error("unlink", path, errno);
}

Result<Bytes> PosixFileSystem::read_file(const std::string& path, std::uint64_t max_bytes) {
  FileDescriptor fd(open_retrying(path, O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open", path, errno);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return posix_error("fstat", path, errno);
  if (!S_ISREG(info.st_mode)) return Status::io_error("read(" + path + "): not a regular file");
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > max_bytes) {
    return Status::resource_exhausted("read(" + path + "): " + std::to_string(size) + " bytes exceed the bound of " +
                                      std::to_string(max_bytes));
  }
  Bytes bytes(static_cast<std::size_t>(size));
  if (Status s = pread_fully(fd.get(), path, 0, bytes); !s.is_ok()) return s;
  return bytes;
}

Result<Bytes> PosixFileSystem::read_file_range(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  FileDescriptor fd(open_retrying(path, O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open", path, errno);
  Bytes bytes(static_cast<std::size_t>(length));
  if (Status s = pread_fully(fd.get(), path, offset, bytes); !s.is_ok()) return s;
  return bytes;
}

Result<bool> PosixFileSystem::exists(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) return true;
  if (errno == ENOENT) return false;
  return posix_error("stat", path, errno);
}

Result<std::uint64_t> PosixFileSystem::file_size(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return posix_error("stat", path, errno);
  if (!S_ISREG(info.st_mode)) return Status::io_error("stat(" + path + "): not a regular file");
  return static_cast<std::uint64_t>(info.st_size);
}

}  // namespace ckptsim
