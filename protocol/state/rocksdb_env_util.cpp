#include "protocol/state/rocksdb_env_util.h"

#include <rocksdb/env.h>
#include <rocksdb/status.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace ckptsim {

Status from_rocksdb(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::ok();
  const std::string message = "rocksdb " + what + ": " + status.ToString();
  if (status.IsNotFound()) return Status::not_found(message);
  if (status.IsCorruption()) return Status::corruption(message);
  if (status.IsNoSpace()) return Status::resource_exhausted(message);
  if (status.IsInvalidArgument()) return Status::invalid_argument(message);
  return Status::io_error(message);
}

Status remove_dir_recursively(rocksdb::Env& env, const std::string& path) {
  if (!env.FileExists(path).ok()) return Status::ok();
  // Without IsDirectory (not every Env has it): a file deletes, a directory does not.
  if (env.DeleteFile(path).ok()) return Status::ok();
  std::vector<std::string> children;
  if (const rocksdb::Status s = env.GetChildren(path, &children); !s.ok()) return from_rocksdb(s, "list " + path);
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    if (child == "." || child == "..") continue;
    if (Status s = remove_dir_recursively(env, path + "/" + child); !s.is_ok()) return s;
  }
  const rocksdb::Status removed = env.DeleteDir(path);
  if (removed.ok() || removed.IsNotFound()) return Status::ok();
  return from_rocksdb(removed, "remove directory " + path);
}

Status write_whole_file(rocksdb::Env& env, const std::string& path, const Bytes& bytes) {
  std::unique_ptr<rocksdb::WritableFile> file;
  if (const rocksdb::Status s = env.NewWritableFile(path, &file, rocksdb::EnvOptions()); !s.ok()) {
    return from_rocksdb(s, "create " + path);
  }
  const rocksdb::Slice data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (const rocksdb::Status s = file->Append(data); !s.ok()) return from_rocksdb(s, "append " + path);
  if (const rocksdb::Status s = file->Sync(); !s.ok()) return from_rocksdb(s, "sync " + path);
  return from_rocksdb(file->Close(), "close " + path);
}

Result<Bytes> read_whole_file(rocksdb::Env& env, const std::string& path) {
  std::unique_ptr<rocksdb::SequentialFile> file;
  if (const rocksdb::Status s = env.NewSequentialFile(path, &file, rocksdb::EnvOptions()); !s.ok()) {
    return from_rocksdb(s, "open " + path);
  }
  Bytes out;
  std::vector<char> scratch(1 << 16);
  for (;;) {
    rocksdb::Slice chunk;
    if (const rocksdb::Status s = file->Read(scratch.size(), &chunk, scratch.data()); !s.ok()) {
      return from_rocksdb(s, "read " + path);
    }
    if (chunk.empty()) break;
    out.insert(out.end(), chunk.data(), chunk.data() + chunk.size());
  }
  return out;
}

Status copy_directory(rocksdb::Env& env, const std::string& from, const std::string& to) {
  if (const rocksdb::Status s = env.CreateDir(to); !s.ok()) return from_rocksdb(s, "create directory " + to);
  std::vector<std::string> children;
  if (const rocksdb::Status s = env.GetChildren(from, &children); !s.ok()) return from_rocksdb(s, "list " + from);
  std::sort(children.begin(), children.end());
  for (const std::string& child : children) {
    if (child == "." || child == "..") continue;
    Result<Bytes> bytes = read_whole_file(env, from + "/" + child);
    if (!bytes.is_ok()) return bytes.status();
    if (Status s = write_whole_file(env, to + "/" + child, bytes.value()); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace ckptsim
