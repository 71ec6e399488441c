// RunFileFaults: the real-file fault layers of one simulated run, for the fault
// catalogue's file kinds (faults/file_faults.h). RunStateBackends owns one when its
// StateBackendChoice asks for file faults; without it the run's files go through the
// plain layers and their speed.
//
//  * Checkpoint files: a FaultInjectingFileSystem sits between the POSIX file system
//    and the run's FileCheckpointStorage, so an injected failure, torn append, bit flip
//    or power loss reaches FileCheckpointStorage's real write/read paths (and through
//    FileMirroredBlobStore the protocol's puts and gets). Syncs are forwarded.
//  * RocksDB local state: a RocksDbFaultInjectingFileSystem sits above the fsync-free
//    local-state file system. RocksDB's own file writes happen in memtable flushes and
//    compactions, which the simulation never orders; so a RocksDB fault acts at a point
//    the simulation does order: when it is armed, the snapshot of a RocksDB backend
//    first runs a flush and compaction of that backend's database (what RocksDB's
//    background threads do over time) while every operation of the armed kind under
//    that database's directory fails. RocksDB then holds a background error, its later
//    writes fail and the backend's sticky error fails the task at its next snapshot
//    (protocol/state/rocksdb_state_backend.h, StreamTask::fail_sync_phase). The decision to arm is drawn from a
//    seeded stream, once per snapshot, in the simulation's order: deterministic.
// Single-threaded (the simulation's thread), except what RocksDB's threads do inside
// the RocksDB file system (which is thread-safe).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "protocol/env/file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "protocol/state/memory_state_backend.h"
#include "sim/random.h"
#include "sim/storage/fault_injecting_file_system.h"
#include "sim/storage/rocksdb_fault_injecting_file_system.h"

namespace rocksdb {
class Env;
class FileSystem;
}  // namespace rocksdb

namespace ckptsim {
class RocksDbStateBackend;
}  // namespace ckptsim

namespace ckptsim::sim {

struct RocksDbFlushFaultCounters {
  std::uint64_t armed_snapshots = 0;   // snapshots preceded by a failing flush/compaction
  std::uint64_t failed_flushes = 0;    // of those, the flush or compaction reported an error
};

class RunFileFaults {
 public:
  // `checkpoint_base` is the file system under the checkpoint storage; `rocksdb_base`
  // the one under RocksDB's local state (null: the run has no RocksDB).
  RunFileFaults(FileSystem& checkpoint_base, std::shared_ptr<rocksdb::FileSystem> rocksdb_base, std::uint64_t seed);
  ~RunFileFaults();
  RunFileFaults(const RunFileFaults&) = delete;
  RunFileFaults& operator=(const RunFileFaults&) = delete;

  // --- checkpoint files ---
  FaultInjectingFileSystem& checkpoint_files() { return checkpoint_files_; }
  // What a FileCheckpointStorage over checkpoint_files() must be opened with: staged
  // files are read back before they are published, because this layer models a device
  // that reports a torn append as complete (the real-file default trusts the device).
  static FileCheckpointStorageOptions checkpoint_storage_options();

  // --- RocksDB local state ---
  bool has_rocksdb() const { return rocksdb_files_ != nullptr; }
  rocksdb::Env* rocksdb_env() const { return rocksdb_env_.get(); }
  RocksDbFaultInjectingFileSystem& rocksdb_files() { return *rocksdb_files_; }
  // The chance that one snapshot is preceded by a failing flush, per kind of failing
  // operation (write: appends; sync: file syncs). 0 disarms.
  void set_rocksdb_fault_probabilities(double write_probability, double sync_probability);
  // Hooks for one new backend; call attach_backend once the backend exists. The hooks
  // live as long as this object.
  const StateBackendHooks* new_backend_hooks();
  void attach_backend(const StateBackendHooks* hooks, RocksDbStateBackend* backend);
  const RocksDbFlushFaultCounters& rocksdb_counters() const { return rocksdb_counters_; }

 private:
  struct BackendHooks {
    StateBackendHooks hooks;
    RocksDbStateBackend* backend = nullptr;  // valid whenever its hook runs
  };
  Status before_snapshot(RocksDbStateBackend& backend);

  FaultInjectingFileSystem checkpoint_files_;
  std::shared_ptr<RocksDbFaultInjectingFileSystem> rocksdb_files_;
  std::shared_ptr<rocksdb::Env> rocksdb_env_;
  Rng rocksdb_rng_;
  double rocksdb_write_probability_ = 0.0;
  double rocksdb_sync_probability_ = 0.0;
  std::deque<BackendHooks> backend_hooks_;   // stable addresses
  RocksDbFlushFaultCounters rocksdb_counters_;
};

}  // namespace ckptsim::sim
