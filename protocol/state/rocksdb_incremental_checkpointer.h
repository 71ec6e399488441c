// RocksDbIncrementalCheckpointer: takes and restores incremental checkpoints of one
// task's RocksDbStateBackend into a FileCheckpointStorage (Flink's
// RocksIncrementalSnapshotStrategy and RocksDBIncrementalRestoreOperation).
//
// snapshot(id):
//  1. the backend flushes and hard-links its live files into a local directory
//     (RocksDbStateBackend::create_local_checkpoint);
//  2. every SST file not in the last COMPLETED checkpoint of this checkpointer is
//     uploaded as a shared file "<job>/shared/<uid>-g<generation>-<file name>"
//     (uid: 16 hex digits of backend_uid, unique per backend object; generation: the
//     backend's database generation, so SST numbers restarting after a restore never
//     collide); SST files of that checkpoint are referred to again without uploading;
//  3. MANIFEST, CURRENT, OPTIONS are uploaded as private state files
//     "<task>.<file name>" of chk-<id>;
//  4. the handle (rocksdb_incremental_snapshot.h) is written last, as "<task>.handle";
//  5. the local directory is removed.
// Only files of a confirmed (notify_checkpoint_complete) checkpoint are re-used, as in
// Flink: a file uploaded for a checkpoint that never completed may be gone.
// The checkpoint itself is committed by IncrementalCheckpointStore once every task's
// snapshot succeeded.
//
// restore(checkpoint, tasks): reads the tasks' handles from a verified checkpoint,
// downloads every file (verifying size and CRC-32C of each), and hands the local
// copies to RocksDbStateBackend::restore_from_local_checkpoints: one handle of the
// same key-group range is opened in place and its shared files count as already
// uploaded; anything else is a rescaling restore.
// Not thread-safe. The backend and storage must outlive this object.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/state/file_checkpoint_storage.h"
#include "protocol/state/rocksdb_incremental_snapshot.h"
#include "protocol/state/rocksdb_state_backend.h"

namespace ckptsim {

struct IncrementalUploadStats {
  std::uint64_t shared_files_uploaded = 0;
  std::uint64_t shared_bytes_uploaded = 0;
  std::uint64_t shared_files_reused = 0;
  std::uint64_t private_files_uploaded = 0;
  std::uint64_t private_bytes_uploaded = 0;
  std::uint64_t bytes_uploaded() const { return shared_bytes_uploaded + private_bytes_uploaded; }
};

class RocksDbIncrementalCheckpointer {
 public:
  RocksDbIncrementalCheckpointer(RocksDbStateBackend& backend, FileCheckpointStorage& storage, std::string job,
                                 std::string task_name, std::uint64_t backend_uid);

  Result<IncrementalSnapshotHandle> snapshot(CheckpointId id, IncrementalUploadStats* stats = nullptr);
  // The checkpoint completed: its shared files may be re-used by later snapshots.
  void notify_checkpoint_complete(CheckpointId id);
  Status restore(const RestoredCheckpoint& checkpoint, const std::vector<std::string>& task_names);

  static std::string handle_file_name(const std::string& task_name) { return task_name + ".handle"; }
  static std::string shared_prefix(const std::string& job) { return job + "/shared/"; }

 private:
  using FileMap = std::map<std::string, CheckpointFileRef>;  // by local name
  FileMap& reusable_files();
  Status upload(const LocalCheckpoint& local, CheckpointId id, IncrementalSnapshotHandle& handle,
                IncrementalUploadStats& stats);
  Result<std::string> download(const RestoredCheckpoint& checkpoint, const IncrementalSnapshotHandle& handle,
                               std::size_t index);

  RocksDbStateBackend& backend_;
  FileCheckpointStorage& storage_;
  std::string job_;
  std::string task_name_;
  std::uint64_t backend_uid_;
  FileMap confirmed_;                                   // shared files of the last completed checkpoint
  std::map<CheckpointId, FileMap> pending_;             // snapshots not yet confirmed
  std::uint64_t confirmed_generation_ = 0;              // backend generation confirmed_ belongs to
};

}  // namespace ckptsim
