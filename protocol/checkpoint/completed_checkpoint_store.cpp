#include "protocol/checkpoint/completed_checkpoint_store.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace ckptsim {
namespace {

constexpr std::string_view kMetadataSuffix = "/_metadata";

}  // namespace

struct CompletedCheckpointStore::RecoveryRun {
  std::vector<CheckpointId> candidates;  // newest first
  std::size_t next = 0;
  std::vector<CompletedCheckpoint> kept;  // newest first
  StoreRecovery report;
  std::function<void(Result<StoreRecovery>)> done;
};

CompletedCheckpointStore::CompletedCheckpointStore(BlobStore& blob_store, std::string job_id,
                                                   std::size_t num_retained)
    : blob_store_(blob_store), job_id_(std::move(job_id)), num_retained_(num_retained) {
  CKPT_ASSERT(!job_id_.empty(), "the store needs a job id");
  CKPT_ASSERT(num_retained >= 1, "num-retained must be at least 1");
}

std::string CompletedCheckpointStore::metadata_prefix(const std::string& job_id) { return job_id + "/chk-"; }

std::string CompletedCheckpointStore::metadata_name(const std::string& job_id, CheckpointId id) {
  CKPT_ASSERT(id > kNoCheckpointId, "metadata names need a positive id");
  return metadata_prefix(job_id) + std::to_string(id) + std::string(kMetadataSuffix);
}

void CompletedCheckpointStore::persist_metadata(const CompletedCheckpoint& checkpoint,
                                                std::function<void(Status)> done) {
  CKPT_ASSERT(latest() == nullptr || checkpoint.id > latest()->id, "metadata of an already subsumed id");
  blob_store_.put(metadata_name(job_id_, checkpoint.id), serialize_checkpoint_metadata(checkpoint),
                  guard_.wrap(std::move(done)));
}

std::vector<CompletedCheckpoint> CompletedCheckpointStore::add(CompletedCheckpoint checkpoint) {
  CKPT_ASSERT(!recovering_, "add while recovering");
  CKPT_ASSERT(latest() == nullptr || checkpoint.id > latest()->id, "completed ids must strictly increase");
  const CheckpointId added_id = checkpoint.id;
  retained_.push_back(std::move(checkpoint));
  std::vector<CompletedCheckpoint> subsumed;
  while (retained_.size() > num_retained_) {
    subsumed.push_back(std::move(retained_.front()));
    retained_.pop_front();
  }
  CKPT_ASSERT(!retained_.empty() && retained_.back().id == added_id, "the latest checkpoint is never subsumed");
  return subsumed;
}

void CompletedCheckpointStore::collect_blob_names(std::set<std::string>& names) const {
  for (const CompletedCheckpoint& checkpoint : retained_) {
    for (const auto& entry : checkpoint.states) {
      names.insert(entry.second.blob_names.begin(), entry.second.blob_names.end());
    }
  }
}

void CompletedCheckpointStore::recover(std::function<void(Result<StoreRecovery>)> done) {
  CKPT_ASSERT(retained_.empty(), "recover only into an empty store");
  CKPT_ASSERT(!recovering_, "one recovery at a time");
  recovering_ = true;
  auto run = std::make_shared<RecoveryRun>();
  run->done = std::move(done);
  const std::string prefix = metadata_prefix(job_id_);
  for (const std::string& name : blob_store_.list(prefix)) {
    std::string_view rest = std::string_view(name).substr(prefix.size());
    if (rest.size() <= kMetadataSuffix.size() || !rest.ends_with(kMetadataSuffix)) continue;
    const auto id = parse_checkpoint_id(rest.substr(0, rest.size() - kMetadataSuffix.size()));
    if (!id.has_value()) {
      run->report.warnings.push_back("ignoring metadata blob with a malformed name: " + name);
      continue;
    }
    run->candidates.push_back(*id);
    run->report.highest_seen_id = std::max(run->report.highest_seen_id, *id);
  }
  std::sort(run->candidates.begin(), run->candidates.end(), std::greater<>());
  read_next(std::move(run));
}

void CompletedCheckpointStore::read_next(std::shared_ptr<RecoveryRun> run) {
  if (run->next == run->candidates.size()) {
    finish_recovery(std::move(run));
    return;
  }
  const CheckpointId id = run->candidates[run->next++];
  blob_store_.get(metadata_name(job_id_, id), guard_.wrap([this, run, id](Result<Bytes> bytes) mutable {
    on_metadata_read(std::move(run), id, std::move(bytes));
  }));
}

void CompletedCheckpointStore::on_metadata_read(std::shared_ptr<RecoveryRun> run, CheckpointId id,
                                                Result<Bytes> bytes) {
  const std::string name = metadata_name(job_id_, id);
  if (!bytes.is_ok() && bytes.status().code() == StatusCode::kNotFound) {
    // Listed, then gone: only a subsumed checkpoint's metadata is ever removed, so a
    // newer one exists and nothing is lost by passing over it.
    run->report.warnings.push_back("skipping " + name + ": " + bytes.status().to_string());
    read_next(std::move(run));
    return;
  }
  if (!bytes.is_ok()) {
    fail_recovery(std::move(run), Status::error(bytes.status().code(), "reading " + name + ": " + bytes.status().message()));
    return;
  }
  Result<CompletedCheckpoint> checkpoint = deserialize_checkpoint_metadata(bytes.value());
  if (!checkpoint.is_ok()) {
    fail_recovery(std::move(run), Status::corruption("reading " + name + ": " + checkpoint.status().message()));
    return;
  }
  if (checkpoint.value().id != id) {
    fail_recovery(std::move(run), Status::corruption("reading " + name + ": it holds checkpoint " +
                                                     std::to_string(checkpoint.value().id)));
    return;
  }
  if (run->kept.size() < num_retained_) {
    run->kept.push_back(std::move(checkpoint).value());
  } else {
    run->report.orphaned.push_back(std::move(checkpoint).value());
  }
  read_next(std::move(run));
}

void CompletedCheckpointStore::fail_recovery(std::shared_ptr<RecoveryRun> run, Status status) {
  // A checkpoint that cannot be read may be the latest completed one: restoring an
  // older one (or none) would replay output a two-phase-commit sink already committed.
  // Like Flink's DefaultCompletedCheckpointStoreUtils, fail; the caller retries.
  recovering_ = false;
  run->done(std::move(status));
}

void CompletedCheckpointStore::finish_recovery(std::shared_ptr<RecoveryRun> run) {
  recovering_ = false;
  // kept is newest first; retained_ is oldest first.
  for (auto it = run->kept.rbegin(); it != run->kept.rend(); ++it) retained_.push_back(std::move(*it));
  for (std::size_t i = 1; i < retained_.size(); ++i) {
    CKPT_ASSERT(retained_[i - 1].id < retained_[i].id, "recovered checkpoints in increasing id order");
  }
  CKPT_ASSERT(retained_.size() <= num_retained_, "recovered more than num-retained");
  run->done(std::move(run->report));
}

}  // namespace ckptsim
