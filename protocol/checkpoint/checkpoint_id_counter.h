// CheckpointIdCounter: hands out checkpoint ids that strictly increase, also across
// JobManager restarts (Flink's CheckpointIDCounter).
//
// Durability: every id is recorded as a blob "<job>/checkpoint-id-counter/<id>" before
// any task hears of it (the coordinator triggers tasks only after persist() completed ok).
// A restarted JobManager recover()s by listing those names: the next id is one more than
// the highest id ever persisted or otherwise known to be used (e.g. seen in checkpoint
// metadata names). A failed put leaves no blob, so a failed persist never raises the
// floor, and an id that was not persisted was never seen by a task.
//
// Bounds: after a successful persist the previously persisted counter blob is removed
// (best effort); recover() removes all but the highest one, so only a handful exist.
//
// Invariants: next_id() > every id returned by reserve() so far, and > every id persisted
// by any earlier incarnation on the same BlobStore.
#pragma once

#include <functional>
#include <string>

#include "protocol/checkpoint/callback_guard.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

class CheckpointIdCounter {
 public:
  CheckpointIdCounter(BlobStore& blob_store, std::string job_id);

  static std::string blob_prefix(const std::string& job_id);
  static std::string blob_name(const std::string& job_id, CheckpointId id);

  // Synchronous: reads the counter blob names. highest_known_id is any other id known to
  // have been used (0 if none). May be called again (after a JobManager restart it is
  // called on a fresh object); never lowers next_id().
  void recover(CheckpointId highest_known_id);
  bool is_recovered() const { return recovered_; }

  // Returns the next id and advances. Precondition: is_recovered().
  CheckpointId reserve();

  // Records `id` (returned by reserve()) durably. After done(ok) no later incarnation
  // returns an id <= id. done runs once, unless this object is destroyed first.
  void persist(CheckpointId id, std::function<void(Status)> done);

  CheckpointId next_id() const { return next_id_; }
  CheckpointId persisted_id() const { return persisted_id_; }

 private:
  void remove_blob(CheckpointId id);

  BlobStore& blob_store_;
  std::string job_id_;
  bool recovered_ = false;
  CheckpointId next_id_ = 1;
  CheckpointId persisted_id_ = kNoCheckpointId;
  CallbackGuard guard_;
};

}  // namespace ckptsim
