// RunStateBackends: what one simulation run needs for its configured state backend and
// checkpoint storage (state.backend.type, execution.checkpointing.dir,
// execution.checkpointing.incremental), wired into a SimCluster.
//
//  * Real files live in a run directory of its own, created with mkdtemp under the
//    system's temporary directory and removed with everything in it when this object
//    goes away, so runs in parallel threads (explore) never share a file. It is created
//    only when the choice needs files (rocksdb, or a checkpoint directory).
//  * rocksdb: every stateful subtask gets a RocksDbStateBackend in
//    "<run dir>/rocksdb/<n>-<operator>-<subtask>" (n counts backends created in this
//    run, so a redeployed subtask never meets its predecessor's directory). The
//    backend removes its directory when its task is destroyed (a TaskManager crash or
//    cancellation), as Flink's local state directories are. Local files are not
//    fsynced (RocksDbLocalStateFileSystem): they are never recovered from.
//  * checkpoint directory: every process's BlobStore view is decorated with
//    FileMirroredBlobStore over one FileCheckpointStorage rooted at
//    "<run dir>/checkpoints".
//  * No real fsync(2) reaches the device (PosixFileSystemOptions::sync_to_device off,
//    as RocksDB's local files): the run directory is scratch, removed after the run, and
//    the simulated power loss is modelled by the fault layer, which tracks what was
//    synced. The write, rename and directory calls are all real.
//  * file faults (a file_fault_seed given): the checkpoint files and RocksDB's
//    local files go through the fault layers of RunFileFaults (run_file_faults.h),
//    which the fault catalogue's file kinds drive; off, the plain layers.
//  * Determinism: the simulated blob storage keeps deciding timing and events; both
//    backends hand the operators the same entries and produce byte-identical full
//    snapshots, so fingerprints and outputs do not depend on the choice.
// Lifetime: must outlive the SimCluster it is attached to (declare it first).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/cluster/file_mirrored_blob_store.h"
#include "sim/cluster/run_file_faults.h"
#include "sim/cluster/sim_cluster.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace ckptsim::sim {

enum class StateBackendKind { kHashMap, kRocksDb };

struct StateBackendChoice {
  StateBackendKind kind = StateBackendKind::kHashMap;
  bool incremental = false;        // execution.checkpointing.incremental (rocksdb only)
  bool file_checkpoints = false;   // execution.checkpointing.dir is set
};

class RunStateBackends {
 public:
  // With a file_fault_seed the run's files go through RunFileFaults, seeded with it.
  explicit RunStateBackends(StateBackendChoice choice, std::optional<std::uint64_t> file_fault_seed = std::nullopt);
  ~RunStateBackends();
  RunStateBackends(const RunStateBackends&) = delete;
  RunStateBackends& operator=(const RunStateBackends&) = delete;

  void attach(SimCluster& cluster);

  const StateBackendChoice& choice() const { return choice_; }
  // Empty when the choice needs no files.
  const std::string& run_dir() const { return run_dir_; }
  const FileMirrorCounters& file_counters() const { return file_counters_; }
  std::uint64_t rocksdb_backends_created() const { return rocksdb_backends_created_; }
  // The fault layers; null unless the choice asks for file faults.
  RunFileFaults* file_faults() { return file_faults_.get(); }
  // "<run dir>/checkpoints", or empty without a checkpoint directory.
  std::string checkpoint_root() const { return checkpoint_files_ ? checkpoint_files_->root_dir() : std::string(); }
  // Statistics for tests only: RocksDB backends created by every RunStateBackends in
  // this process so far. Never read by a simulation, so it cannot affect a run.
  static std::uint64_t process_rocksdb_backends_created();

 private:
  std::unique_ptr<KeyedStateBackend> make_rocksdb(const std::string& label, std::uint32_t max_parallelism,
                                                  KeyGroupRange range);
  BlobStore& mirrored_view(ProcessId process, BlobStore& simulated);

  StateBackendChoice choice_;
  std::string run_dir_;
  PosixFileSystem posix_;  // no fsync(2): scratch files, crashes are modelled above it
  std::optional<FileCheckpointStorage> checkpoint_files_;
  FileMirrorCounters file_counters_;
  std::map<ProcessId, std::unique_ptr<FileMirroredBlobStore>> views_;
  std::uint64_t rocksdb_backends_created_ = 0;
  std::shared_ptr<rocksdb::Env> rocksdb_env_;  // fsync-free local state (rocksdb_local_state_file_system.h)
  std::unique_ptr<RunFileFaults> file_faults_;  // declared last: destroyed before the layers it wraps
};

}  // namespace ckptsim::sim
