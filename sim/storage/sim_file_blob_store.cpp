#include "sim/storage/sim_file_blob_store.h"

#include <utility>

#include "sim/storage/storage_model.h"

namespace ckptsim::sim {

// One process's BlobStore: forwards to the shared storage, stamped with its caller.
class SimFileBlobStorage::View final : public BlobStore {
 public:
  View(SimFileBlobStorage& storage, ProcessId caller) : storage_(storage), caller_(caller) {}

  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override {
    storage_.put(caller_, name, std::move(bytes), std::move(done));
  }
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override {
    storage_.get(caller_, name, std::move(done));
  }
  void remove(const std::string& name, std::function<void(Status)> done) override {
    storage_.remove(caller_, name, std::move(done));
  }
  std::vector<std::string> list(const std::string& prefix) const override {
    Result<std::vector<std::string>> names = storage_.storage_.list(prefix);
    // BlobStore::list has no error channel: an unreadable directory lists as empty.
    return names.is_ok() ? std::move(names.value()) : std::vector<std::string>{};
  }

 private:
  SimFileBlobStorage& storage_;
  ProcessId caller_;
};

SimFileBlobStorage::SimFileBlobStorage(Simulation& simulation, FileCheckpointStorage& storage, FileStorageModel model)
    : simulation_(simulation),
      storage_(storage),
      model_(model),
      // Registered in a fixed order at construction, so kinds are the same every run.
      kind_put_(simulation.log().register_kind("file_put")),
      kind_put_done_(simulation.log().register_kind("file_put_done")),
      kind_put_lost_(simulation.log().register_kind("file_put_lost")),
      kind_get_(simulation.log().register_kind("file_get")),
      kind_remove_(simulation.log().register_kind("file_remove")),
      kind_remove_done_(simulation.log().register_kind("file_remove_done")) {
  CKPT_ASSERT(model_.latency_ns >= 0, "storage latency is not negative");
  CKPT_ASSERT(model_.write_bytes_per_second > 0, "write bandwidth must be positive");
  CKPT_ASSERT(model_.read_bytes_per_second > 0, "read bandwidth must be positive");
  CKPT_ASSERT(model_.max_operations_in_flight > 0, "at least one operation may be in flight");
}

SimFileBlobStorage::~SimFileBlobStorage() = default;

BlobStore& SimFileBlobStorage::view_for(ProcessId caller) {
  CKPT_ASSERT(caller < simulation_.process_count(), "a view belongs to a known process");
  if (views_.size() <= caller) views_.resize(std::size_t{caller} + 1);
  if (!views_[caller]) views_[caller] = std::make_unique<View>(*this, caller);
  return *views_[caller];
}

DurationNs SimFileBlobStorage::put_duration_ns(std::size_t payload_bytes) const {
  return transfer_duration_ns(model_.latency_ns, payload_bytes + kStoredFileFrameBytes,
                              model_.write_bytes_per_second);
}

DurationNs SimFileBlobStorage::get_duration_ns(std::size_t payload_bytes) const {
  return transfer_duration_ns(model_.latency_ns, payload_bytes, model_.read_bytes_per_second);
}

std::size_t SimFileBlobStorage::abandon_lost_operations() {
  std::size_t lost = 0;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const Pending& pending = it->second;
    if (simulation_.processes().is_current(pending.caller, pending.incarnation)) {
      ++it;
      continue;
    }
    if (pending.staged.has_value()) {
      storage_.abandon(*pending.staged);
      ++counters_.puts_lost;
      ++lost;
      simulation_.record(kind_put_lost_, pending.caller, pending.name_hash, pending.staged->payload_bytes);
    }
    it = pending_.erase(it);
  }
  return lost;
}

std::uint64_t SimFileBlobStorage::begin_operation(ProcessId caller, std::uint64_t name_hash,
                                                  std::optional<StagedFile> staged) {
  CKPT_ASSERT(simulation_.is_alive(caller), "a crashed process cannot use storage");
  CKPT_ASSERT(pending_.size() < model_.max_operations_in_flight, "storage operations in flight exceed the bound");
  const std::uint64_t operation = next_operation_++;
  pending_.emplace(operation, Pending{caller, simulation_.incarnation(caller), std::move(staged), name_hash});
  return operation;
}

void SimFileBlobStorage::put(ProcessId caller, const std::string& name, Bytes bytes,
                             std::function<void(Status)> done) {
  CKPT_ASSERT(!name.empty(), "a blob needs a name");
  CKPT_ASSERT(simulation_.is_alive(caller), "a crashed process cannot use storage");
  abandon_lost_operations();
  ++counters_.puts;
  const std::uint64_t name_hash = blob_name_hash(name);
  simulation_.record(kind_put_, caller, name_hash, bytes.size());
  Result<StagedFile> staged = storage_.stage(name, bytes);
  const bool admitted = staged.is_ok();
  const Status staging = admitted ? Status::ok() : staged.status();
  const DurationNs duration_ns = admitted ? put_duration_ns(bytes.size()) : model_.latency_ns;
  const std::uint64_t operation =
      begin_operation(caller, name_hash, admitted ? std::optional<StagedFile>(std::move(staged).value()) : std::nullopt);
  simulation_.schedule_after(caller, duration_ns, [this, operation, staging, done = std::move(done)] {
    complete_put(operation, staging, done);
  });
}

void SimFileBlobStorage::complete_put(std::uint64_t operation, const Status& staging,
                                      const std::function<void(Status)>& done) {
  auto node = pending_.extract(operation);
  CKPT_ASSERT(!node.empty(), "a live caller's put is still pending at completion");
  Pending& pending = node.mapped();
  Status status = staging;
  if (pending.staged.has_value()) status = storage_.publish(*pending.staged);
  if (status.is_ok()) {
    ++counters_.puts_committed;
    counters_.bytes_written += pending.staged->payload_bytes;
  } else {
    ++counters_.puts_failed;
  }
  simulation_.record(kind_put_done_, pending.caller, pending.name_hash, static_cast<std::uint64_t>(status.code()));
  if (done) done(std::move(status));
}

void SimFileBlobStorage::get(ProcessId caller, const std::string& name, std::function<void(Result<Bytes>)> done) {
  CKPT_ASSERT(done != nullptr, "a get needs a completion");
  CKPT_ASSERT(simulation_.is_alive(caller), "a crashed process cannot use storage");
  abandon_lost_operations();
  ++counters_.gets;
  const std::uint64_t name_hash = blob_name_hash(name);
  // Read and verified now; a later put or remove does not change what this get returns.
  Result<Bytes> result = storage_.read(name);
  simulation_.record(kind_get_, caller, name_hash, result.is_ok() ? result.value().size() : UINT64_MAX);
  const DurationNs duration_ns = result.is_ok() ? get_duration_ns(result.value().size()) : model_.latency_ns;
  const std::uint64_t operation = begin_operation(caller, name_hash, std::nullopt);
  simulation_.schedule_after(caller, duration_ns, [this, operation, result = std::move(result), done = std::move(done)] {
    pending_.erase(operation);
    done(result);
  });
}

void SimFileBlobStorage::remove(ProcessId caller, const std::string& name, std::function<void(Status)> done) {
  CKPT_ASSERT(simulation_.is_alive(caller), "a crashed process cannot use storage");
  abandon_lost_operations();
  ++counters_.removes;
  const std::uint64_t name_hash = blob_name_hash(name);
  simulation_.record(kind_remove_, caller, name_hash, 0);
  const std::uint64_t operation = begin_operation(caller, name_hash, std::nullopt);
  simulation_.schedule_after(caller, model_.latency_ns, [this, operation, name, caller, name_hash, done = std::move(done)] {
    pending_.erase(operation);
    Status status = storage_.remove(name);
    simulation_.record(kind_remove_done_, caller, name_hash, static_cast<std::uint64_t>(status.code()));
    if (done) done(std::move(status));
  });
}

}  // namespace ckptsim::sim
