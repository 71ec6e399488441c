// Small file helpers over a rocksdb::Env, so that every byte the RocksDB backend moves
// in its local directories goes through the Env it was given (the simulator injects
// faults there) and never around it.
//
// All functions return Status values for expected failures (kIoError, kNotFound,
// kCorruption as RocksDB reports them) and never throw.
#pragma once

#include <string>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"

namespace rocksdb {
class Env;
class Status;
}  // namespace rocksdb

namespace ckptsim {

// A RocksDB status as ours; `what` says which call failed.
Status from_rocksdb(const rocksdb::Status& status, const std::string& what);

// Removes a file, or a directory with everything below it; ok if it does not exist.
Status remove_dir_recursively(rocksdb::Env& env, const std::string& path);
// Creates `to` (must not exist; its parent must) and copies every regular file of
// `from` into it, each synced; then syncs nothing else (local state is never recovered
// from after a crash, so directory durability does not matter here).
Status copy_directory(rocksdb::Env& env, const std::string& from, const std::string& to);
// Writes a whole file (create or truncate), synced.
Status write_whole_file(rocksdb::Env& env, const std::string& path, const Bytes& bytes);
// Reads a whole file.
Result<Bytes> read_whole_file(rocksdb::Env& env, const std::string& path);

}  // namespace ckptsim
