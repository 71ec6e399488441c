#include "protocol/checkpoint/checkpoint_id_counter.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ckptsim {

CheckpointIdCounter::CheckpointIdCounter(BlobStore& blob_store, std::string job_id)
    : blob_store_(blob_store), job_id_(std::move(job_id)) {
  CKPT_ASSERT(!job_id_.empty(), "the id counter needs a job id");
}

std::string CheckpointIdCounter::blob_prefix(const std::string& job_id) {
  return job_id + "/checkpoint-id-counter/";
}

std::string CheckpointIdCounter::blob_name(const std::string& job_id, CheckpointId id) {
  CKPT_ASSERT(id > kNoCheckpointId, "counter blobs record positive ids");
  return blob_prefix(job_id) + std::to_string(id);
}

void CheckpointIdCounter::recover(CheckpointId highest_known_id) {
  CKPT_ASSERT(highest_known_id >= kNoCheckpointId, "known ids are not negative");
  const std::string prefix = blob_prefix(job_id_);
  std::vector<CheckpointId> persisted;
  for (const std::string& name : blob_store_.list(prefix)) {
    const auto id = parse_checkpoint_id(std::string_view(name).substr(prefix.size()));
    if (id.has_value()) persisted.push_back(*id);
  }
  std::sort(persisted.begin(), persisted.end());
  const CheckpointId highest_persisted = persisted.empty() ? kNoCheckpointId : persisted.back();
  persisted_id_ = std::max(persisted_id_, highest_persisted);
  next_id_ = std::max({next_id_, highest_persisted + 1, highest_known_id + 1});
  recovered_ = true;
  // Older counter blobs carry no information the highest one lacks.
  for (std::size_t i = 0; i + 1 < persisted.size(); ++i) remove_blob(persisted[i]);
}

CheckpointId CheckpointIdCounter::reserve() {
  CKPT_ASSERT(recovered_, "recover the id counter before handing out ids");
  const CheckpointId id = next_id_;
  ++next_id_;
  CKPT_ASSERT(next_id_ > id, "checkpoint id overflow");
  return id;
}

void CheckpointIdCounter::persist(CheckpointId id, std::function<void(Status)> done) {
  CKPT_ASSERT(recovered_, "recover the id counter before persisting ids");
  CKPT_ASSERT(id > kNoCheckpointId && id < next_id_, "persist only ids handed out by reserve()");
  Bytes bytes(8);
  for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(id) >> (8 * i));
  blob_store_.put(blob_name(job_id_, id), std::move(bytes),
                  guard_.wrap([this, id, done = std::move(done)](Status status) {
                    if (status.is_ok() && id > persisted_id_) {
                      const CheckpointId previous = persisted_id_;
                      persisted_id_ = id;
                      if (previous != kNoCheckpointId) remove_blob(previous);
                    }
                    done(std::move(status));
                  }));
}

void CheckpointIdCounter::remove_blob(CheckpointId id) {
  // Best effort: a leftover counter blob is harmless and removed by the next recover().
  blob_store_.remove(blob_name(job_id_, id), [](Status) {});
}

}  // namespace ckptsim
