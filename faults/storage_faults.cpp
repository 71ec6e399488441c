#include "faults/storage_faults.h"

#include <algorithm>

#include "faults/fault_world.h"

namespace ckptsim::faults {

// --- StorageFaultInjector ---

StorageFaultInjector::StorageFaultInjector(sim::SimBlobStorage& storage, sim::Rng rng)
    : storage_(storage), rng_(rng), own_capacity_bytes_(storage.model().capacity_bytes) {}

void StorageFaultInjector::add(FaultId id, StorageRule rule) {
  CKPT_ASSERT(rule.probability >= 0.0 && rule.probability <= 1.0, "a storage fault probability is in [0, 1]");
  CKPT_ASSERT(rule.delay_ns >= 0 && rule.jitter_ns >= 0, "storage delays are not negative");
  CKPT_ASSERT(rule.error != StatusCode::kOk, "a failing write fails with an error");
  CKPT_ASSERT(rules_.emplace(id, std::move(rule)).second, "a fault adds one storage rule");
}

void StorageFaultInjector::remove(FaultId id) {
  CKPT_ASSERT(rules_.erase(id) == 1, "only a storage rule that was added is removed");
}

Status StorageFaultInjector::on_put(const std::string& name, std::size_t /*bytes*/) {
  for (const auto& [id, rule] : rules_) {
    if (rule.kind != StorageRule::Kind::kFailWrites || !name.starts_with(rule.prefix)) continue;
    if (!rng_.bernoulli(rule.probability)) continue;
    ++counters_.failed_puts;
    return Status::error(rule.error, "injected storage fault: write of '" + name + "' failed");
  }
  return Status::ok();
}

DurationNs StorageFaultInjector::extra_put_delay_ns(const std::string& name) {
  DurationNs extra_ns = 0;
  for (const auto& [id, rule] : rules_) {
    if (rule.kind != StorageRule::Kind::kSlowWrites || !name.starts_with(rule.prefix)) continue;
    extra_ns += rule.delay_ns;
    if (rule.jitter_ns > 0) extra_ns += static_cast<DurationNs>(rng_.uniform_below(static_cast<std::uint64_t>(rule.jitter_ns) + 1));
  }
  if (extra_ns > 0) ++counters_.delayed_puts;
  return extra_ns;
}

void StorageFaultInjector::on_get(const std::string& name, Bytes& bytes, std::uint64_t modelled_size_bytes) {
  for (const auto& [id, rule] : rules_) {
    if (rule.kind != StorageRule::Kind::kCorruptReads || !name.starts_with(rule.prefix)) continue;
    if (!rng_.bernoulli(rule.probability)) continue;
    ++counters_.corrupted_gets;
    if (bytes.empty() || modelled_size_bytes == 0) {
      bytes.push_back(0xA5);  // a torn read of an empty blob: a stray byte
    } else {
      // Drawn from the modelled size (equal to the byte count unless put_modelled), so
      // the stream of draws never depends on physical bytes.
      const std::uint64_t drawn = rng_.uniform_below(modelled_size_bytes * 8);
      const std::uint64_t bit_index = drawn % (static_cast<std::uint64_t>(bytes.size()) * 8);
      bytes[bit_index / 8] ^= static_cast<std::uint8_t>(1u << (bit_index % 8));
    }
    return;  // one flipped bit is enough for the checksum to catch
  }
}

void StorageFaultInjector::add_capacity_limit(FaultId id, std::uint64_t capacity_bytes) {
  CKPT_ASSERT(capacity_limits_.emplace(id, capacity_bytes).second, "a fault adds one capacity limit");
  apply_capacity();
}

void StorageFaultInjector::remove_capacity_limit(FaultId id) {
  CKPT_ASSERT(capacity_limits_.erase(id) == 1, "only a capacity limit that was added is removed");
  apply_capacity();
}

void StorageFaultInjector::apply_capacity() {
  std::uint64_t capacity = own_capacity_bytes_;
  for (const auto& [id, limit] : capacity_limits_) {
    // 0 means unlimited for the storage, so a limit of 0 bytes is stored as 1 byte.
    const std::uint64_t effective = std::max<std::uint64_t>(limit, 1);
    capacity = capacity == 0 ? effective : std::min(capacity, effective);
  }
  storage_.set_capacity_bytes(capacity);
}

namespace {

Status storage_available(FaultWorld& world) {
  Result<StorageFaultInjector*> injector = world.storage_faults();
  return injector.is_ok() ? Status::ok() : injector.status();
}

// storage-write-failure, storage-slow-write, storage-corrupt-read: one StorageRule
// active from start to heal.
class StorageRuleFault final : public Fault {
 public:
  StorageRuleFault(ScheduledFault spec, StorageRule rule) : Fault(std::move(spec)), rule_(std::move(rule)) {}
  Status set_up(FaultWorld& world) override { return storage_available(world); }
  bool start(FaultWorld& world) override {
    world.storage_faults().value()->add(id(), rule_);
    return true;
  }
  void heal(FaultWorld& world) override { world.storage_faults().value()->remove(id()); }
  std::string describe_target() const override { return rule_.prefix.empty() ? "storage" : "storage:" + rule_.prefix; }

 private:
  StorageRule rule_;
};

// storage-full: from start to heal the storage holds at most what it held at the
// start plus `free-bytes`; puts beyond fail with kResourceExhausted.
class StorageFullFault final : public Fault {
 public:
  StorageFullFault(ScheduledFault spec, std::uint64_t free_bytes) : Fault(std::move(spec)), free_bytes_(free_bytes) {}
  Status set_up(FaultWorld& world) override { return storage_available(world); }
  bool start(FaultWorld& world) override {
    StorageFaultInjector& injector = *world.storage_faults().value();
    const std::uint64_t stored = injector.storage().total_bytes_stored();
    injector.add_capacity_limit(id(), stored + std::min(free_bytes_, UINT64_MAX - stored));
    return true;
  }
  void heal(FaultWorld& world) override { world.storage_faults().value()->remove_capacity_limit(id()); }
  std::string describe_target() const override { return "storage"; }

 private:
  std::uint64_t free_bytes_;
};

constexpr std::string_view kWriteErrors[] = {"unavailable", "io-error", "timeout"};
constexpr DurationNs kMaxStorageDelayNs = 1 * kHour;

StatusCode write_error_code(std::string_view name) {
  if (name == "io-error") return StatusCode::kIoError;
  if (name == "timeout") return StatusCode::kTimeout;
  return StatusCode::kUnavailable;
}

StorageRule read_common(const ScheduledFault& spec, ParamReader& reader, StorageRule::Kind kind) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  StorageRule rule;
  rule.kind = kind;
  rule.prefix = reader.text("prefix", "");
  return rule;
}

}  // namespace

std::unique_ptr<Fault> make_storage_write_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  StorageRule rule = read_common(spec, reader, StorageRule::Kind::kFailWrites);
  rule.probability = reader.probability("probability", 1.0);
  rule.error = write_error_code(reader.choice("error", "unavailable", kWriteErrors));
  return std::make_unique<StorageRuleFault>(spec, std::move(rule));
}

std::unique_ptr<Fault> make_storage_slow_write_fault(const ScheduledFault& spec, ParamReader& reader) {
  StorageRule rule = read_common(spec, reader, StorageRule::Kind::kSlowWrites);
  rule.delay_ns = reader.duration("delay", std::nullopt, 0, kMaxStorageDelayNs);
  rule.jitter_ns = reader.duration("jitter", 0, 0, kMaxStorageDelayNs);
  return std::make_unique<StorageRuleFault>(spec, std::move(rule));
}

std::unique_ptr<Fault> make_storage_corrupt_read_fault(const ScheduledFault& spec, ParamReader& reader) {
  StorageRule rule = read_common(spec, reader, StorageRule::Kind::kCorruptReads);
  rule.probability = reader.probability("probability", 1.0);
  return std::make_unique<StorageRuleFault>(spec, std::move(rule));
}

std::unique_ptr<Fault> make_storage_full_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  const auto free_bytes = static_cast<std::uint64_t>(reader.integer("free-bytes", 0, 0, INT64_MAX));
  return std::make_unique<StorageFullFault>(spec, free_bytes);
}

}  // namespace ckptsim::faults
