// CompletedCheckpointStore: the completed checkpoints a job retains, and their durable
// metadata (Flink's DefaultCompletedCheckpointStore plus the metadata file of
// Checkpoints.storeCheckpointMetadata).
//
// Durability protocol:
//  1. persist_metadata(c) writes "<job>/chk-<id>/_metadata" (format in checkpoint_types.h).
//  2. Only after that write succeeded does the caller add(c): a checkpoint counts as
//     completed only once its metadata is durable, so a restarted JobManager finds every
//     checkpoint that was ever reported completed.
//  3. A subsumed checkpoint is returned by add(); the caller removes its metadata first and
//     its state blobs afterwards, so durable metadata never names deleted state.
//  4. recover() on a fresh store (a restarted JobManager) lists the metadata names, reads
//     them newest first, skips vanished entries (kNotFound: only subsumed metadata is
//     ever removed) with a warning, and retains the num_retained newest ones. Any other
//     failure — storage unavailable, a read that fails its checksum, metadata that does
//     not parse — fails the recovery, which the caller retries: silently falling back to
//     an older checkpoint could replay committed output (Flink fails the same way).
//
// Invariants:
//  * 1 <= retained().size() <= num_retained once anything was added or recovered.
//  * retained() is in strictly increasing id order; latest() is its last element.
//  * add() never returns the checkpoint just added: the latest completed checkpoint is
//    never subsumed (num_retained >= 1).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocol/checkpoint/callback_guard.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

struct StoreRecovery {
  std::vector<std::string> warnings;              // one per skipped metadata entry
  std::vector<CompletedCheckpoint> orphaned;      // valid but older than the retained ones
  CheckpointId highest_seen_id = kNoCheckpointId; // highest id named by any metadata blob
};

class CompletedCheckpointStore {
 public:
  CompletedCheckpointStore(BlobStore& blob_store, std::string job_id, std::size_t num_retained);

  static std::string metadata_prefix(const std::string& job_id);  // "<job>/chk-"
  static std::string metadata_name(const std::string& job_id, CheckpointId id);

  // Writes the checkpoint's metadata. done(ok) means durable. Does not add it.
  void persist_metadata(const CompletedCheckpoint& checkpoint, std::function<void(Status)> done);

  // Adds a checkpoint whose metadata is durable. Precondition: its id is higher than
  // latest()'s. Returns the subsumed checkpoints, oldest first.
  std::vector<CompletedCheckpoint> add(CompletedCheckpoint checkpoint);

  const CompletedCheckpoint* latest() const { return retained_.empty() ? nullptr : &retained_.back(); }
  const std::deque<CompletedCheckpoint>& retained() const { return retained_; }
  std::size_t num_retained() const { return num_retained_; }
  std::string metadata_name_of(CheckpointId id) const { return metadata_name(job_id_, id); }

  // Adds every state blob name a retained checkpoint references.
  void collect_blob_names(std::set<std::string>& names) const;

  // Reads the retained checkpoints back from durable metadata. Preconditions: nothing
  // retained yet and no recovery running. done runs once (unless the store is destroyed).
  void recover(std::function<void(Result<StoreRecovery>)> done);
  bool is_recovering() const { return recovering_; }

 private:
  struct RecoveryRun;
  void read_next(std::shared_ptr<RecoveryRun> run);
  void on_metadata_read(std::shared_ptr<RecoveryRun> run, CheckpointId id, Result<Bytes> bytes);
  void finish_recovery(std::shared_ptr<RecoveryRun> run);
  void fail_recovery(std::shared_ptr<RecoveryRun> run, Status status);

  BlobStore& blob_store_;
  std::string job_id_;
  std::size_t num_retained_;
  std::deque<CompletedCheckpoint> retained_;
  bool recovering_ = false;
  CallbackGuard guard_;
};

}  // namespace ckptsim
