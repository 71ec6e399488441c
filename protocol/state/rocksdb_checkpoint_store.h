// IncrementalCheckpointStore: completes, subsumes and recovers incremental RocksDB
// checkpoints in a FileCheckpointStorage, keeping shared files alive exactly as long as
// a retained checkpoint refers to them (SharedStateRegistry).
//
// Layout (FileCheckpointStorage's, plus the shared directory):
//   <job>/shared/<uid>-<sst>        shared SST files (RocksDbIncrementalCheckpointer)
//   <job>/chk-<id>/<task>.<file>    private files and <task>.handle
//   <job>/chk-<id>/_metadata        written LAST; its caller metadata lists the shared
//                                   files the checkpoint refers to, so the registry can
//                                   be rebuilt from the completed checkpoints alone
//
// Order of effects, and why it is crash-safe:
//  * complete_checkpoint: commit _metadata (durable: the checkpoint is completed), then
//    register its shared files. Nothing is deleted.
//  * subsume: FileCheckpointStorage::retain durably removes the _metadata of every
//    completed checkpoint beyond num_retained (then its private files); only then are
//    the checkpoint's shared files unregistered and those at zero references deleted.
//    A crash in between leaks files, never deletes a referenced one.
//  * recover (after a crash, on a fresh object): the completed checkpoints are those
//    with a verifying _metadata; the newest one whose private files AND shared files
//    all verify is returned; the registry is rebuilt from every completed checkpoint;
//    shared files no completed checkpoint refers to are swept (leaks of subsumes and of
//    checkpoints that never completed). Call it only when no checkpoint is in flight.
// Not thread-safe. The storage must outlive this object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/state/file_checkpoint_storage.h"
#include "protocol/state/rocksdb_incremental_snapshot.h"
#include "protocol/state/shared_state_registry.h"

namespace ckptsim {

struct RecoveredIncrementalCheckpoint {
  RestoredCheckpoint checkpoint;
  std::vector<std::string> skipped;       // one line per completed checkpoint refused
  std::vector<std::string> swept_files;   // unreferenced shared files removed
};

class IncrementalCheckpointStore {
 public:
  // Precondition (asserted): num_retained >= 1.
  IncrementalCheckpointStore(FileCheckpointStorage& storage, std::string job, std::size_t num_retained);

  // Commits checkpoint `id` whose tasks' snapshots returned `handles` and registers its
  // shared files. An error means the checkpoint did not complete.
  Status complete_checkpoint(CheckpointId id, const std::vector<IncrementalSnapshotHandle>& handles);
  // Removes completed checkpoints beyond num_retained and their unreferenced shared files.
  Status subsume();
  // See the header comment. kNotFound when no completed checkpoint is intact.
  Result<RecoveredIncrementalCheckpoint> recover();

  const SharedStateRegistry& registry() const { return registry_; }
  static std::string shared_prefix(const std::string& job) { return job + "/shared/"; }

 private:
  Result<std::vector<std::string>> shared_files_of(CheckpointId id);
  Status verify_shared_files(const std::vector<std::string>& files);

  FileCheckpointStorage& storage_;
  std::string job_;
  std::size_t num_retained_;
  SharedStateRegistry registry_;
};

// The caller metadata of a completed incremental checkpoint: its shared file names.
Bytes encode_shared_file_list(const std::vector<std::string>& files);
Result<std::vector<std::string>> decode_shared_file_list(const Bytes& bytes);

}  // namespace ckptsim
