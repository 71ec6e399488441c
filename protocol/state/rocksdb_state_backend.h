// RocksDbStateBackend: keyed state in an embedded RocksDB instance (Flink's
// EmbeddedRocksDBStateBackend). Implements KeyedStateBackend, so operators use it
// unchanged; the key format is rocksdb_key_codec.h (key-group prefix first).
//
// The database lives in options.working_dir, a directory owned by this backend: it is
// created by open() (it must not exist yet) and removed by the destructor (like a
// TaskManager's local state directory, it is never a source of recovery: recovery is
// from checkpoints only). The write-ahead log is disabled for the same reason.
//
// Contract, in addition to KeyedStateBackend's:
//  * snapshot() writes the full format of keyed_snapshot_format.h from one consistent
//    RocksDB iterator, byte-identical to MemoryStateBackend's snapshot of the same
//    entries, so restores work across backends in both directions.
//  * create_local_checkpoint() is the synchronous phase of an incremental checkpoint:
//    it flushes the memtable and hard-links the live files into a new directory
//    (rocksdb::Checkpoint). SST files (*.sst) are immutable and shared across
//    checkpoints; every other file (MANIFEST, CURRENT, OPTIONS) is private to it.
//    Files are listed sorted by name.
//  * restore_from_local_checkpoints() replaces the content with the in-range keys of
//    checkpoint directories: one directory whose range equals this backend's is opened
//    in place (its SST files keep their names, so an incremental checkpoint after it
//    re-uses them); otherwise each directory is opened as a temporary read-only
//    database and the keys of this backend's key groups are copied (Flink's rescaling
//    restore). Failures leave the backend empty, as restore() does.
//  * Errors of RocksDB while writing (put/remove cannot return them) are sticky: the
//    first one is kept and every later snapshot fails with it, so no state that lost a
//    write is ever persisted; the task fails at that snapshot and is redeployed with a
//    fresh backend (StreamTask, as Flink fails a task whose sync phase throws).
// Not thread-safe (one task thread), like the memory backend. RocksDB's own background
// threads (flush, compaction) never change the logical content.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "protocol/state/keyed_state_backend.h"
#include "protocol/state/memory_state_backend.h"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace ckptsim {

struct RocksDbBackendOptions {
  std::string working_dir;        // must not exist; its parent must
  rocksdb::Env* env = nullptr;    // not owned; null: rocksdb::Env::Default()
  std::uint64_t write_buffer_bytes = 4ULL << 20;
  // Tests set this so that the set of SST files depends only on flushes.
  bool disable_auto_compactions = false;
  // RocksDB's target_file_size_base; 0 keeps RocksDB's default. A huge value makes a
  // full compaction (compact_all) write exactly one SST file.
  std::uint64_t target_file_bytes = 0;
  // Count the distinct entries written or removed since the last local checkpoint
  // (changed_entries_since_local_checkpoint), a logical measure of what the next
  // incremental checkpoint uploads.
  bool track_changed_entries = false;
  const StateBackendHooks* hooks = nullptr;  // not owned; may be null
};

// One file of a local RocksDB checkpoint directory.
struct LocalCheckpointFile {
  std::string name;          // file name inside the directory, e.g. "000012.sst"
  std::uint64_t size_bytes = 0;
  bool shared = false;       // an immutable SST file
};

struct LocalCheckpoint {
  std::string directory;
  std::vector<LocalCheckpointFile> files;  // sorted by name
};

// A checkpoint directory to restore from, with the key-group range it was taken for.
struct LocalRestoreSource {
  std::string directory;
  std::uint32_t max_parallelism = 0;
  KeyGroupRange key_group_range;
};

class RocksDbStateBackend final : public KeyedStateBackend {
 public:
  // Preconditions (asserted): as make_memory_state_backend. kIoError if the database
  // cannot be created (e.g. working_dir exists).
  static Result<std::unique_ptr<RocksDbStateBackend>> open(std::uint32_t max_parallelism, KeyGroupRange range,
                                                           RocksDbBackendOptions options);
  ~RocksDbStateBackend() override;
  RocksDbStateBackend(const RocksDbStateBackend&) = delete;
  RocksDbStateBackend& operator=(const RocksDbStateBackend&) = delete;

  KeyGroupRange key_group_range() const override { return range_; }
  std::uint32_t max_parallelism() const override { return max_parallelism_; }
  std::optional<StateValue> get(std::uint64_t key, std::uint32_t name_space) override;
  void put(std::uint64_t key, std::uint32_t name_space, StateValue value) override;
  void remove(std::uint64_t key, std::uint32_t name_space) override;
  std::size_t entry_count() const override { return entry_count_; }
  void for_each(const EntryVisitor& visit) const override;
  Result<Bytes> snapshot() override;
  Status restore(const std::vector<Bytes>& snapshots) override;

  // Incremental checkpoints (see the header comment). `directory` must not exist.
  // create_local_checkpoint also resets changed_entries_since_local_checkpoint() to 0.
  Result<LocalCheckpoint> create_local_checkpoint(const std::string& directory);
  // create_local_checkpoint into "<working dir>.chk-<id>", after removing what a crashed
  // earlier attempt left there; on failure the directory is removed again. The caller
  // removes it once the files are read.
  Result<LocalCheckpoint> create_local_checkpoint_for(std::int64_t checkpoint_id);
  // Distinct (key, name space) entries put or removed since the last local checkpoint or
  // restore; 0 unless options.track_changed_entries. Depends only on the operations,
  // never on RocksDB's files.
  std::size_t changed_entries_since_local_checkpoint() const { return changed_entries_.size(); }
  Status restore_from_local_checkpoints(const std::vector<LocalRestoreSource>& sources);
  // Flushes and compacts everything into new SST files (what background compaction
  // does over time); tests and benchmarks use it to retire old SST files.
  Status compact_all();

  // Changes whenever the database is replaced (restore): SST file names are only
  // meaningful within one generation.
  std::uint64_t generation() const { return generation_; }
  const std::string& working_dir() const { return options_.working_dir; }
  rocksdb::Env& env() const { return *env_; }
  const Status& sticky_error() const { return sticky_error_; }

 private:
  RocksDbStateBackend(std::uint32_t max_parallelism, KeyGroupRange range, RocksDbBackendOptions options);
  Status open_db(const std::string& directory, bool create);
  void close_db();
  Status reset_empty();  // closes, destroys and re-creates an empty database
  std::uint32_t checked_key_group(std::uint64_t key) const;
  void note_error(const Status& status);
  Status copy_range_from(const LocalRestoreSource& source);
  Result<std::size_t> count_entries() const;

  std::uint32_t max_parallelism_;
  KeyGroupRange range_;
  RocksDbBackendOptions options_;
  rocksdb::Env* env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::size_t entry_count_ = 0;
  std::uint64_t generation_ = 0;
  bool owns_working_dir_ = false;  // only a backend that created the directory removes it
  Status sticky_error_;
  std::set<std::pair<std::uint64_t, std::uint32_t>> changed_entries_;  // when track_changed_entries
};

// Opens a backend, asserting success; for wiring where a failure to create a local
// directory is an environment error the caller cannot handle.
std::unique_ptr<KeyedStateBackend> make_rocksdb_state_backend(std::uint32_t max_parallelism, KeyGroupRange range,
                                                              RocksDbBackendOptions options);

}  // namespace ckptsim
