#include "protocol/checkpoint/checkpoint_state_discarder.h"

#include <utility>

namespace ckptsim {

CheckpointStateDiscarder::CheckpointStateDiscarder(BlobStore& blob_store, CollectReferenced collect_referenced)
    : blob_store_(blob_store), collect_referenced_(std::move(collect_referenced)) {
  CKPT_ASSERT(collect_referenced_ != nullptr, "the discarder needs to know which blobs are referenced");
}

void CheckpointStateDiscarder::discard_blobs(const std::vector<std::string>& blob_names) {
  if (blob_names.empty()) return;
  std::set<std::string> referenced;
  collect_referenced_(referenced);
  std::set<std::string> issued;
  for (const std::string& name : blob_names) {
    if (referenced.count(name) != 0) {
      ++skipped_referenced_;
      continue;
    }
    if (issued.insert(name).second) remove(name);
  }
}

void CheckpointStateDiscarder::discard_with_metadata(const std::string& metadata_name,
                                                     std::vector<std::string> state_blob_names,
                                                     AfterMetadataRemoved after_metadata_removed) {
  CKPT_ASSERT(!metadata_name.empty(), "a metadata name is required");
  ++removals_issued_;
  blob_store_.remove(metadata_name, guard_.wrap([this, state_blob_names = std::move(state_blob_names),
                                                 after = std::move(after_metadata_removed)](Status status) mutable {
                       if (!status.is_ok() && status.code() != StatusCode::kNotFound) {
                         // The metadata may still be durable: keep the state it names.
                         ++removal_failures_;
                         return;
                       }
                       if (after) {
                         for (std::string& name : after()) state_blob_names.push_back(std::move(name));
                       }
                       discard_blobs(state_blob_names);
                     }));
}

void CheckpointStateDiscarder::remove(const std::string& name) {
  if (observer_) observer_(name);
  ++removals_issued_;
  blob_store_.remove(name, guard_.wrap([this](Status status) {
                       if (!status.is_ok() && status.code() != StatusCode::kNotFound) ++removal_failures_;
                     }));
}

}  // namespace ckptsim
