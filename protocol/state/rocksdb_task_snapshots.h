// RocksDbTaskSnapshots: the task side of incremental RocksDB checkpoints through a
// BlobStore (Flink's RocksIncrementalSnapshotStrategy with its uploaded-SST tracking,
// and RocksDBIncrementalRestoreOperation), as a StreamTask uses them.
//
// prepare(id) is the synchronous phase:
//  1. if the database holds kCompactAfterSstFiles or more SST files, it is compacted
//     into one (what background compaction does over time; here at a deterministic
//     point, so that old shared files retire);
//  2. the backend hard-links its live files into "<working dir>.chk-<id>"
//     (create_local_checkpoint) and their bytes are read; the directory is removed;
//  3. every SST file in the last CONFIRMED checkpoint (notify-complete) is referred to
//     again; every other SST file becomes a new shared blob
//     "<shared prefix>c<id>-<file name>" (the prefix names the task attempt, the id
//     makes a name unique per upload, so a name is never written twice);
//  4. MANIFEST, CURRENT and OPTIONS are packed with the handle into one private blob
//     (format below) named by the caller.
// The caller uploads the returned blobs (shared first, the private one last) and
// acknowledges with the returned SubtaskStateHandle: blob_names = {private blob},
// shared_blob_names = every shared blob the snapshot refers to (sorted).
// Only files of a confirmed checkpoint are re-used: a file uploaded for a checkpoint
// that never completed is discarded with it. After an abort nothing is re-used until the
// next confirmation (forget_confirmed; see CheckpointCoordinator on deleted shared files).
//
// restore(snapshots, shared blobs) writes every file into a fresh local directory per
// snapshot (verifying size and CRC-32C of each: a missing or damaged file fails the
// restore with a Status, never restores garbage), hands them to
// restore_from_local_checkpoints, and re-bases the tracking: after an in-place restore
// (one snapshot of this backend's range) the restored shared files count as uploaded;
// after a copying (rescaling) restore nothing does, and the next snapshot's files are
// modelled from every live entry.
//
// Determinism (the simulator's event log must not see RocksDB's physical bytes, which
// embed ids and timestamps): every blob carries a MODELLED size (BlobStore::put_modelled):
//  * a new SST file: kModelledEntryBytes x the distinct entries changed since the
//    previous local checkpoint, or x all live entries for the output of a compaction;
//  * the private blob: kModelledPrivateBytes + kModelledReferenceBytes per shared file.
// The set of SST files itself is deterministic under the options this class requires
// (required_backend_options): auto compactions off, a memtable larger than any state
// change between two checkpoints (so only checkpoints flush), and compactions that
// write exactly one file. Then file names and counts depend only on the sequence of
// operations and checkpoints. Not thread-safe; the backend must outlive this object.
//
// Private blob format, version 1 (little-endian, ByteWriter conventions):
//   u32 magic "CKRT", u32 version, bytes encoded IncrementalSnapshotHandle
//   (rocksdb_incremental_snapshot.h; its private files' storage names are their local
//   names), u32 S, S x u64 modelled size of each shared file (handle order),
//   u32 P, P x { string local name, bytes content }, u32 CRC-32C of everything before.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/state/rocksdb_incremental_snapshot.h"
#include "protocol/state/rocksdb_state_backend.h"

namespace ckptsim {

inline constexpr std::uint32_t kTaskSnapshotMagic = 0x54524B43u;  // "CKRT"
inline constexpr std::uint32_t kTaskSnapshotVersion = 1;

struct SnapshotUpload {
  std::string name;
  Bytes bytes;
  std::uint64_t modelled_size_bytes = 0;
};

struct PreparedTaskSnapshot {
  std::vector<SnapshotUpload> uploads;  // new shared blobs by name, then the private blob
  SubtaskStateHandle handle;
  std::uint64_t uploaded_modelled_bytes = 0;  // sum over uploads
  std::uint64_t full_modelled_bytes = 0;      // every file the snapshot refers to
  bool compacted = false;
};

// The decoded private blob.
struct TaskSnapshotContents {
  IncrementalSnapshotHandle handle;
  std::vector<std::uint64_t> shared_modelled_bytes;  // parallel to handle.shared_files
  std::map<std::string, Bytes> private_files;        // by local name
};

class RocksDbTaskSnapshots {
 public:
  static constexpr std::uint64_t kModelledEntryBytes = 32;
  static constexpr std::uint64_t kModelledPrivateBytes = 1024;
  static constexpr std::uint64_t kModelledReferenceBytes = 64;
  static constexpr std::size_t kCompactAfterSstFiles = 8;

  // What the backend must be opened with for the determinism argument above.
  static void required_backend_options(RocksDbBackendOptions& options);

  // shared_prefix: e.g. "<job>/shared/<operator>-<subtask>-e<epoch>-a<attempt>-".
  RocksDbTaskSnapshots(RocksDbStateBackend& backend, std::string shared_prefix);

  Result<PreparedTaskSnapshot> prepare(CheckpointId id, const std::string& private_blob_name);
  // Checkpoint `id` completed: its shared files may be referred to by later snapshots.
  void confirm(CheckpointId id);
  // A checkpoint was aborted, possibly because it referred to a shared file the
  // coordinator had already deleted (the confirmed checkpoint was subsumed meanwhile):
  // nothing is re-used any more until the next confirmation; the next snapshot uploads
  // every file anew.
  void forget_confirmed() { confirmed_.clear(); }

  // The shared blob names a private blob refers to (to download them first).
  static Result<TaskSnapshotContents> decode_private_blob(const Bytes& bytes);
  Status restore(const TaskSnapshotContents& contents, const std::map<std::string, Bytes>& shared_blobs);
  // A rescaling restore: the key groups of this backend's range from several snapshots
  // (each of another range; two must not share a key group). shared_blobs holds the
  // shared files of all of them by storage name.
  Status restore(std::span<const TaskSnapshotContents> snapshots, const std::map<std::string, Bytes>& shared_blobs);

  std::size_t confirmed_shared_files() const { return confirmed_.size(); }

 private:
  struct SharedFile {
    CheckpointFileRef ref;
    std::uint64_t modelled_bytes = 0;
  };
  using FileMap = std::map<std::string, SharedFile>;  // by local name

  Status add_files(CheckpointId id, const LocalCheckpoint& local, bool compacted, std::size_t changed_entries,
                   PreparedTaskSnapshot& out, TaskSnapshotContents& contents);

  RocksDbStateBackend& backend_;
  std::string shared_prefix_;
  FileMap confirmed_;                        // shared files of the last confirmed checkpoint
  std::map<CheckpointId, FileMap> pending_;  // snapshots not yet confirmed
  std::map<std::string, std::uint64_t> known_modelled_;  // live SST file -> its modelled size
  std::size_t live_sst_files_ = 0;           // in the last local checkpoint
  bool measure_all_entries_next_ = false;    // after a copying (rescaling) restore
};

Bytes encode_task_snapshot(const TaskSnapshotContents& contents);

}  // namespace ckptsim
