#include "sim/storage/sim_blob_store.h"

#include <utility>

#include "protocol/state/crc32c.h"
#include "sim/storage/storage_model.h"

namespace ckptsim::sim {

// One process's BlobStore: forwards to the shared storage, stamped with its caller.
class SimBlobStorage::View final : public BlobStore {
 public:
  View(SimBlobStorage& storage, ProcessId caller) : storage_(storage), caller_(caller) {}

  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override {
    const std::uint64_t size = bytes.size();
    storage_.put(caller_, name, std::move(bytes), size, std::move(done));
  }
  void put_modelled(const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
                    std::function<void(Status)> done) override {
    storage_.put(caller_, name, std::move(bytes), modelled_size_bytes, std::move(done));
  }
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override {
    storage_.get(caller_, name, std::move(done));
  }
  void remove(const std::string& name, std::function<void(Status)> done) override {
    storage_.remove(caller_, name, std::move(done));
  }
  std::vector<std::string> list(const std::string& prefix) const override { return storage_.list(prefix); }

 private:
  SimBlobStorage& storage_;
  ProcessId caller_;
};

SimBlobStorage::SimBlobStorage(Simulation& simulation, BlobStorageModel model)
    : simulation_(simulation),
      model_(model),
      // Registered in a fixed order at construction, so kinds are the same every run.
      kind_put_(simulation.log().register_kind("blob_put")),
      kind_put_done_(simulation.log().register_kind("blob_put_done")),
      kind_put_lost_(simulation.log().register_kind("blob_put_lost")),
      kind_get_(simulation.log().register_kind("blob_get")),
      kind_remove_(simulation.log().register_kind("blob_remove")),
      kind_remove_done_(simulation.log().register_kind("blob_remove_done")),
      kind_remove_lost_(simulation.log().register_kind("blob_remove_lost")),
      kind_capacity_(simulation.log().register_kind("blob_capacity")) {
  CKPT_ASSERT(model.latency_ns >= 0, "storage latency is not negative");
  CKPT_ASSERT(model.write_bytes_per_second > 0, "write bandwidth must be positive");
  CKPT_ASSERT(model.read_bytes_per_second > 0, "read bandwidth must be positive");
  CKPT_ASSERT(model.max_operations_in_flight > 0, "at least one operation may be in flight");
}

SimBlobStorage::~SimBlobStorage() = default;

BlobStore& SimBlobStorage::view_for(ProcessId caller) {
  CKPT_ASSERT(caller < simulation_.process_count(), "a view belongs to a known process");
  if (views_.size() <= caller) views_.resize(std::size_t{caller} + 1);
  if (!views_[caller]) views_[caller] = std::make_unique<View>(*this, caller);
  return *views_[caller];
}

DurationNs SimBlobStorage::put_duration_ns(std::size_t bytes) const {
  return transfer_duration_ns(model_.latency_ns, bytes, model_.write_bytes_per_second);
}

DurationNs SimBlobStorage::get_duration_ns(std::size_t bytes) const {
  return transfer_duration_ns(model_.latency_ns, bytes, model_.read_bytes_per_second);
}

void SimBlobStorage::begin_operation(ProcessId caller) {
  CKPT_ASSERT(simulation_.is_alive(caller), "a crashed process cannot use storage");
  CKPT_ASSERT(operations_in_flight_ < model_.max_operations_in_flight, "storage operations in flight exceed the bound");
  ++operations_in_flight_;
}

void SimBlobStorage::end_operation() {
  CKPT_ASSERT(operations_in_flight_ > 0, "an operation ends only after it began");
  --operations_in_flight_;
}

// --- put ---

void SimBlobStorage::put(ProcessId caller, const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
                         std::function<void(Status)> done) {
  CKPT_ASSERT(!name.empty(), "a blob needs a name");
  begin_operation(caller);
  ++counters_.puts;
  const std::size_t modelled = static_cast<std::size_t>(modelled_size_bytes);
  simulation_.record(kind_put_, caller, blob_name_hash(name), modelled);
  Status admitted = faults_ != nullptr ? faults_->on_put(name, modelled) : Status::ok();
  DurationNs duration_ns = model_.latency_ns;
  if (admitted.is_ok()) {
    const DurationNs extra_ns = faults_ != nullptr ? faults_->extra_put_delay_ns(name) : 0;
    CKPT_ASSERT(extra_ns >= 0, "a fault's extra put delay is not negative");
    duration_ns = put_duration_ns(modelled) + extra_ns;
  }
  const std::uint32_t incarnation = simulation_.incarnation(caller);
  // Not the caller's own timer: it must run even if the caller crashed, to account for
  // the lost upload; it commits only if the caller is still current. It does wait while
  // the caller is paused: the upload is the caller's work.
  simulation_.schedule_on_behalf_after(
      caller, duration_ns, [this, caller, incarnation, name, bytes = std::move(bytes), modelled, admitted = std::move(admitted),
                    done = std::move(done)]() mutable {
        end_operation();
        complete_put(caller, incarnation, name, bytes, modelled, std::move(admitted), done);
      });
}

Status SimBlobStorage::check_capacity(const std::string& name, std::size_t bytes) const {
  if (model_.capacity_bytes == 0) return Status::ok();
  const auto existing = blobs_.find(name);
  const std::uint64_t replaced = existing == blobs_.end() ? 0 : existing->second.modelled_size_bytes;
  const std::uint64_t total_after = bytes_stored_ - replaced + bytes;
  if (total_after <= model_.capacity_bytes) return Status::ok();
  return Status::resource_exhausted("blob storage full: storing '" + name + "' (" + std::to_string(bytes) +
                                    " bytes) would hold " + std::to_string(total_after) + " of " +
                                    std::to_string(model_.capacity_bytes) + " bytes");
}

void SimBlobStorage::complete_put(ProcessId caller, std::uint32_t incarnation, const std::string& name, Bytes& bytes,
                                  std::uint64_t modelled_size_bytes, Status admitted,
                                  const std::function<void(Status)>& done) {
  if (!simulation_.processes().is_current(caller, incarnation)) {
    ++counters_.puts_lost;
    simulation_.record(kind_put_lost_, caller, blob_name_hash(name), modelled_size_bytes);
    return;
  }
  Status status = std::move(admitted);
  if (status.is_ok()) status = check_capacity(name, static_cast<std::size_t>(modelled_size_bytes));
  if (status.is_ok()) {
    auto [it, inserted] = blobs_.try_emplace(name);
    if (!inserted) bytes_stored_ -= it->second.modelled_size_bytes;
    bytes_stored_ += modelled_size_bytes;
    counters_.bytes_written += modelled_size_bytes;
    ++counters_.puts_committed;
    it->second.modelled_size_bytes = modelled_size_bytes;
    it->second.checksum = crc32c(bytes);
    it->second.bytes = std::move(bytes);
  } else {
    ++counters_.puts_failed;
  }
  simulation_.record(kind_put_done_, caller, blob_name_hash(name), static_cast<std::uint64_t>(status.code()));
  if (done) done(std::move(status));
}

// --- get ---

void SimBlobStorage::get(ProcessId caller, const std::string& name, std::function<void(Result<Bytes>)> done) {
  CKPT_ASSERT(done != nullptr, "a get needs a completion");
  begin_operation(caller);
  ++counters_.gets;
  const auto it = blobs_.find(name);
  const bool found = it != blobs_.end();
  const std::uint64_t modelled = found ? it->second.modelled_size_bytes : 0;
  simulation_.record(kind_get_, caller, blob_name_hash(name), found ? modelled : UINT64_MAX);
  const std::uint32_t incarnation = simulation_.incarnation(caller);
  // The bytes are read when the get is issued; a later put or remove does not change
  // what this get returns.
  Bytes bytes = found ? it->second.bytes : Bytes{};
  const std::uint32_t checksum = found ? it->second.checksum : 0;
  const DurationNs duration_ns = found ? get_duration_ns(static_cast<std::size_t>(modelled)) : model_.latency_ns;
  simulation_.schedule_on_behalf_after(caller, duration_ns, [this, caller, incarnation, name, found, checksum, modelled,
                                                  bytes = std::move(bytes), done = std::move(done)]() mutable {
    end_operation();
    if (!simulation_.processes().is_current(caller, incarnation)) return;
    if (!found) {
      done(Status::not_found("no blob named '" + name + "'"));
      return;
    }
    if (faults_ != nullptr) faults_->on_get(name, bytes, modelled);
    if (const std::uint32_t actual = crc32c(bytes); actual != checksum) {
      done(Status::corruption("blob '" + name + "' failed its checksum (" + std::to_string(bytes.size()) +
                              " bytes read)"));
      return;
    }
    done(std::move(bytes));
  });
}

// --- remove ---

void SimBlobStorage::remove(ProcessId caller, const std::string& name, std::function<void(Status)> done) {
  begin_operation(caller);
  ++counters_.removes;
  simulation_.record(kind_remove_, caller, blob_name_hash(name), 0);
  const std::uint32_t incarnation = simulation_.incarnation(caller);
  simulation_.schedule_on_behalf_after(caller, model_.latency_ns, [this, caller, incarnation, name, done = std::move(done)] {
    end_operation();
    complete_remove(caller, incarnation, name, done);
  });
}

void SimBlobStorage::complete_remove(ProcessId caller, std::uint32_t incarnation, const std::string& name,
                                     const std::function<void(Status)>& done) {
  if (!simulation_.processes().is_current(caller, incarnation)) {
    simulation_.record(kind_remove_lost_, caller, blob_name_hash(name), 0);
    return;
  }
  const auto it = blobs_.find(name);
  const bool existed = it != blobs_.end();
  if (existed) {
    bytes_stored_ -= it->second.modelled_size_bytes;
    blobs_.erase(it);
  }
  simulation_.record(kind_remove_done_, caller, blob_name_hash(name), existed ? 1 : 0);
  if (done) done(Status::ok());
}

void SimBlobStorage::set_capacity_bytes(std::uint64_t capacity_bytes) {
  model_.capacity_bytes = capacity_bytes;
  simulation_.record(kind_capacity_, kNoProcess, capacity_bytes, bytes_stored_);
}

// --- inspection ---

std::optional<std::size_t> SimBlobStorage::blob_size(const std::string& name) const {
  const auto it = blobs_.find(name);
  if (it == blobs_.end()) return std::nullopt;
  return it->second.bytes.size();
}

std::vector<std::string> SimBlobStorage::list(const std::string& prefix) const {
  std::vector<std::string> names;
  for (auto it = blobs_.lower_bound(prefix); it != blobs_.end() && it->first.starts_with(prefix); ++it) {
    names.push_back(it->first);
  }
  return names;
}

bool SimBlobStorage::flip_stored_bit(const std::string& name, std::uint64_t bit_index) {
  const auto it = blobs_.find(name);
  if (it == blobs_.end() || bit_index / 8 >= it->second.bytes.size()) return false;
  it->second.bytes[bit_index / 8] ^= static_cast<std::uint8_t>(1u << (bit_index % 8));
  return true;
}

}  // namespace ckptsim::sim
