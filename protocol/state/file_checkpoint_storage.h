// FileCheckpointStorage: checkpoint data and metadata as files in a directory tree, in
// the manner of Flink's FileSystemCheckpointStorage, on any FileSystem
// (protocol/env/file_system.h). Synchronous; FileBlobStore below adapts it to the
// protocol's asynchronous BlobStore.
//
// Layout under root_dir (format: docs/checkpoint-storage-format.md):
//   <job>/chk-<id>/<state file>     one per task snapshot, written first
//   <job>/chk-<id>/_metadata        written LAST: manifest of the state files + metadata
//   <job>/<anything else>           other blobs the protocol names (jm-epoch, id counter)
// Blob names ("<job>/chk-<id>/<file>") are paths relative to root_dir: 1..max_name_depth
// components, each 1..max_component_bytes bytes, no "." or "..", no NUL, and none ending
// in kTempSuffix (reserved for temporary files).
//
// Write protocol, for every file: write "<name>.<n>.ckpt-tmp" (header, payload, footer),
// fsync it, close it, read it back and verify it, rename it over <name>, fsync the
// directory. Missing directories are created first, each followed by an fsync of its
// parent (retried by later writes until it succeeded). So after a write returned
// ok the file is durable under its name, and at no time (not after any power loss) is a
// partially written file visible under its name.
//
// Contract:
//  * write(name) then read(name) returns exactly the payload; read never returns bytes
//    whose checksum failed (kCorruption), kNotFound for an absent name.
//  * A checkpoint counts as completed iff its _metadata exists and verifies. Reading a
//    checkpoint (read_checkpoint, and read() of a _metadata name) refuses, with
//    kCorruption naming the reason, a checkpoint whose _metadata is missing or corrupt,
//    whose manifest names a missing file or a file whose size or checksum differs, or
//    whose directory holds a leftover temporary file. Files not in the manifest are
//    ignored (they are not part of the checkpoint).
//  * commit_checkpoint (a write of a _metadata name) refuses a directory with leftover
//    temporary files, so it never completes a checkpoint readers would refuse.
//  * remove and remove_checkpoint are idempotent. remove_checkpoint deletes _metadata
//    first and makes that durable before deleting state, so a power loss in the middle
//    leaves an incomplete (never a corrupt-but-listed) checkpoint.
//  * Listings are sorted (byte order) and exclude temporary files: deterministic.
// Not thread-safe: one caller at a time (a real runtime serializes through its I/O thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/env/blob_store.h"
#include "protocol/env/file_system.h"
#include "protocol/state/file_checkpoint_storage_format.h"

namespace ckptsim {

struct FileCheckpointStorageOptions {
  std::uint64_t max_payload_bytes = std::uint64_t{1} << 30;  // one file's payload
  std::size_t max_files_per_checkpoint = 1 << 16;            // manifest entries
  std::size_t max_dir_entries = 1 << 20;                      // any directory listing
  std::size_t max_list_results = 1 << 20;                     // names one list() returns
  std::size_t max_name_depth = 8;                             // components of a blob name
  std::size_t max_component_bytes = 200;                      // leaves room for the temp suffix
  // read() of a _metadata name also reads and verifies every state file its manifest
  // names, so the protocol's recovery skips a checkpoint with damaged state instead of
  // failing later while restoring it. Costs one read of the checkpoint's state.
  bool verify_state_on_metadata_read = true;
  // On: every staged file is read back and verified (frame and CRC) before it is
  // published, so a write the device reported complete but did not persist whole (a
  // torn append) fails the write with kCorruption instead of becoming an acknowledged
  // file that no reader accepts. Off by default: on a real POSIX file system the read
  // comes from the page cache, proves nothing about the device and costs a full pass
  // over every byte written (checkpoint write throughput drops to ~0.2 of raw
  // write+fsync, docs/benchmarks.md). The simulator turns it on where its fault layer
  // models a device that lies (sim/cluster/run_file_faults.h). Readers verify every
  // file's frame and CRC either way, so a torn file is never restored.
  bool verify_staged_files = false;
};

// A file written and synced under a temporary name, not yet visible.
struct StagedFile {
  std::string name;        // the blob name it will be published under
  std::string temp_path;
  std::string final_path;
  std::string directory;   // holds both paths
  std::uint64_t payload_bytes = 0;
};

struct RestoredCheckpoint {
  CheckpointId id = kNoCheckpointId;
  Bytes metadata;                            // the caller's metadata
  std::map<std::string, Bytes> state_files;  // file name in chk-<id>/ -> verified payload
};

struct RetentionReport {
  std::vector<CheckpointId> retained;            // completed, kept, ascending
  std::vector<CheckpointId> removed_completed;   // completed but subsumed, ascending
  std::vector<CheckpointId> removed_incomplete;  // no valid _metadata, older than every retained one
};

class FileCheckpointStorage {
 public:
  static constexpr std::string_view kMetadataFileName = "_metadata";
  static constexpr std::string_view kTempSuffix = ".ckpt-tmp";
  static constexpr std::string_view kCheckpointDirPrefix = "chk-";

  // root_dir's parent must exist; root_dir is created on the first write.
  FileCheckpointStorage(FileSystem& fs, std::string root_dir, FileCheckpointStorageOptions options = {});

  static std::string checkpoint_dir_name(const std::string& job, CheckpointId id);  // "<job>/chk-<id>"
  static std::string metadata_name(const std::string& job, CheckpointId id);        // ".../_metadata"
  static std::string state_file_name(const std::string& job, CheckpointId id, const std::string& file);
  static bool is_temp_file_name(std::string_view file_name);

  // --- named blobs ---
  // Writes a blob durably and atomically (stage, then publish). A _metadata name
  // commits its checkpoint (see commit_checkpoint).
  Status write(const std::string& name, std::span<const std::uint8_t> payload);
  // The two halves of write(), for callers that publish later (the simulator publishes
  // when the modelled upload time has passed). A staged file is invisible to read and
  // list; abandon() removes it (best effort).
  Result<StagedFile> stage(const std::string& name, std::span<const std::uint8_t> payload);
  Status publish(const StagedFile& staged);
  void abandon(const StagedFile& staged);
  // The verified payload; for a _metadata name, the caller's metadata after verifying
  // the whole checkpoint (kCorruption if it is damaged or half-written).
  Result<Bytes> read(const std::string& name);
  // Removes a blob (ok if absent) and makes that durable; removes its chk-<id>
  // directory once empty.
  Status remove(const std::string& name);
  // Every blob name starting with prefix, sorted; temporary files excluded.
  Result<std::vector<std::string>> list(const std::string& prefix);

  // --- checkpoints ---
  Status write_state_file(const std::string& job, CheckpointId id, const std::string& file,
                          std::span<const std::uint8_t> payload);
  // Writes _metadata last: a manifest of the files now in chk-<id>/ plus `metadata`.
  Status commit_checkpoint(const std::string& job, CheckpointId id, std::span<const std::uint8_t> metadata);
  // kNotFound if chk-<id>/ does not exist; kCorruption if it is not a complete,
  // intact checkpoint.
  Result<RestoredCheckpoint> read_checkpoint(const std::string& job, CheckpointId id);
  // Ids of the checkpoints whose _metadata verifies, ascending.
  Result<std::vector<CheckpointId>> list_completed(const std::string& job);
  // The newest completed checkpoint that reads back intact (older ones are tried when a
  // newer one is damaged; `skipped` receives one line per refused checkpoint).
  // kNotFound if there is none.
  Result<RestoredCheckpoint> latest_restorable(const std::string& job, std::vector<std::string>* skipped = nullptr);
  Status remove_checkpoint(const std::string& job, CheckpointId id);
  // Keeps the num_retained newest completed checkpoints; removes older completed ones
  // and incomplete directories older than the oldest retained one. Removes nothing when
  // no checkpoint completed (an incomplete directory may be one still being written).
  Result<RetentionReport> retain(const std::string& job, std::size_t num_retained);

  FileSystem& file_system() { return fs_; }
  const std::string& root_dir() const { return root_dir_; }
  const FileCheckpointStorageOptions& options() const { return options_; }

 private:
  struct ParsedName;
  Result<ParsedName> parse_name(const std::string& name) const;
  Status ensure_directories(const ParsedName& parsed);
  Status write_staged(const StagedFile& staged, StoredFileKind kind, std::span<const std::uint8_t> payload);
  Status verify_staged(const StagedFile& staged, bool is_metadata);
  Result<Bytes> build_metadata_payload(const ParsedName& parsed, std::span<const std::uint8_t> metadata);
  Result<ManifestEntry> manifest_entry_of(const std::string& directory, const std::string& file);
  Result<Bytes> read_verified(const std::string& path, const std::string& what, StoredFileKind expected_kind);
  Result<CheckpointMetadataFile> read_metadata_file(const std::string& directory, CheckpointId id);
  Status verify_checkpoint_files(const std::string& directory, const CheckpointMetadataFile& metadata,
                                 std::map<std::string, Bytes>* payloads);
  Status remove_dir_if_empty(const std::string& directory);
  Result<std::vector<CheckpointId>> checkpoint_dir_ids(const std::string& job);
  void collect_names(const std::string& directory, const std::string& relative, const std::string& prefix,
                     std::vector<std::string>& names, Status& status);

  FileSystem& fs_;
  std::string root_dir_;
  FileCheckpointStorageOptions options_;
  std::uint64_t next_temp_number_ = 0;  // makes concurrent stagings of one name distinct
  std::set<std::string> undurable_dirs_;  // created, but the fsync of their parent failed
};

// Posts a completion to wherever the caller wants it to run: the task's event loop in a
// real runtime, a modelled delay in a simulator, or inline (tests).
using CompletionExecutor = std::function<void(std::function<void()>)>;

// FileBlobStore: the protocol's BlobStore (protocol/env/blob_store.h) over a
// FileCheckpointStorage. Each operation does its I/O synchronously in the call, then
// hands `done` to the executor; `done` never runs inside the call unless the executor
// runs it inline. Satisfies the BlobStore contract: put is durable before done(ok), a
// failed put leaves nothing visible, get returns kNotFound / kCorruption / the exact
// bytes, list is sorted (BlobStore::list has no error channel: an I/O error lists as empty).
class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(FileCheckpointStorage& storage, CompletionExecutor executor);

  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override;
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override;
  void remove(const std::string& name, std::function<void(Status)> done) override;
  std::vector<std::string> list(const std::string& prefix) const override;

 private:
  FileCheckpointStorage& storage_;
  CompletionExecutor executor_;
};

}  // namespace ckptsim
