// CheckpointStateDiscarder: removes the blobs of checkpoints that are no longer needed
// (aborted, subsumed, late or rejected acknowledgements), in the order that keeps durable
// data consistent:
//  * a checkpoint with durable metadata loses its "_metadata" blob first; its state blobs
//    are removed only after that removal succeeded, so no durable metadata ever names a
//    deleted blob. If the metadata removal fails, the state stays (a leak, never a
//    dangling reference).
//  * a blob still referenced by a live checkpoint (retained, finalizing or pending) is
//    never removed; the predicate is evaluated when the removal is issued.
// Removal is best effort: no retries, failures are counted.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "protocol/checkpoint/callback_guard.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

class CheckpointStateDiscarder {
 public:
  // collect_referenced adds every blob name that must survive to the set it is given.
  using CollectReferenced = std::function<void(std::set<std::string>&)>;

  CheckpointStateDiscarder(BlobStore& blob_store, CollectReferenced collect_referenced);

  // Removes the blobs, except referenced ones.
  void discard_blobs(const std::vector<std::string>& blob_names);

  // Called once the metadata removal succeeded; returns further blobs to remove (the
  // shared files whose last reference the checkpoint held).
  using AfterMetadataRemoved = std::function<std::vector<std::string>()>;

  // Removes metadata_name, then (once that succeeded) the state blobs, and the blobs
  // after_metadata_removed returns (called only then; may be null).
  void discard_with_metadata(const std::string& metadata_name, std::vector<std::string> state_blob_names,
                             AfterMetadataRemoved after_metadata_removed = nullptr);

  // Called with every blob name a removal is issued for (the coordinator remembers the
  // shared ones it deleted). May be null.
  void set_removal_observer(std::function<void(const std::string&)> observer) { observer_ = std::move(observer); }

  std::uint64_t removals_issued() const { return removals_issued_; }
  std::uint64_t removal_failures() const { return removal_failures_; }
  std::uint64_t removals_skipped_referenced() const { return skipped_referenced_; }

 private:
  void remove(const std::string& name);

  BlobStore& blob_store_;
  CollectReferenced collect_referenced_;
  std::function<void(const std::string&)> observer_;
  std::uint64_t removals_issued_ = 0;
  std::uint64_t removal_failures_ = 0;
  std::uint64_t skipped_referenced_ = 0;
  CallbackGuard guard_;
};

}  // namespace ckptsim
