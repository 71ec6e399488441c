#include "faults/file_faults.h"

#include <algorithm>
#include <vector>

#include "faults/fault_world.h"

namespace ckptsim::faults {

// --- FileFaultInjector ---

FileFaultInjector::FileFaultInjector(sim::RunFileFaults& layers, std::string checkpoint_root, sim::Rng rng)
    : layers_(layers), checkpoint_root_(std::move(checkpoint_root)), rng_(rng) {}

void FileFaultInjector::add(FaultId id, FileFaultRule rule) {
  CKPT_ASSERT(rule.probability >= 0.0 && rule.probability <= 1.0, "a file fault probability is in [0, 1]");
  CKPT_ASSERT(rules_.emplace(id, rule).second, "a fault adds one file rule");
  apply_rules();
}

void FileFaultInjector::remove(FaultId id) {
  CKPT_ASSERT(rules_.erase(id) == 1, "only a file rule that was added is removed");
  apply_rules();
}

void FileFaultInjector::apply_rules() {
  // Independent faults compose: an operation survives only if it survives each.
  double survive_write = 1.0, survive_sync = 1.0, survive_tear = 1.0, survive_db_write = 1.0, survive_db_sync = 1.0;
  for (const auto& [id, rule] : rules_) {
    const double keep = 1.0 - rule.probability;
    switch (rule.kind) {
      case FileFaultRule::Kind::kWriteFailure: survive_write *= keep; break;
      case FileFaultRule::Kind::kSyncFailure: survive_sync *= keep; break;
      case FileFaultRule::Kind::kTornWrite: survive_tear *= keep; break;
      case FileFaultRule::Kind::kRocksDbWriteFailure: survive_db_write *= keep; break;
      case FileFaultRule::Kind::kRocksDbSyncFailure: survive_db_sync *= keep; break;
    }
  }
  if (has_checkpoint_files()) {
    sim::RandomFileFaults random;
    random.append_failure_probability = 1.0 - survive_write;
    random.torn_append_probability = 1.0 - survive_tear;
    random.sync_failure_probability = 1.0 - survive_sync;
    random.sync_dir_failure_probability = 1.0 - survive_sync;
    layers_.checkpoint_files().set_random_faults(random);
  }
  if (has_rocksdb()) layers_.set_rocksdb_fault_probabilities(1.0 - survive_db_write, 1.0 - survive_db_sync);
}

namespace {

// Every regular file under `directory`, sorted (listings are sorted here, never taken
// in the file system's order).
void collect_files(FileSystem& fs, const std::string& directory, std::vector<std::string>& files) {
  Result<std::vector<DirEntry>> entries = fs.list_dir(directory, 1 << 20);
  if (!entries.is_ok()) return;
  std::vector<DirEntry> sorted = std::move(entries).value();
  std::sort(sorted.begin(), sorted.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  for (const DirEntry& entry : sorted) {
    const std::string path = directory + "/" + entry.name;
    if (entry.is_directory) {
      collect_files(fs, path, files);
    } else {
      files.push_back(path);
    }
  }
}

constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 30;

}  // namespace

bool FileFaultInjector::flip_random_bit(FaultId id) {
  FileSystem& fs = layers_.checkpoint_files();
  std::vector<std::string> files;
  collect_files(fs, checkpoint_root_, files);
  std::vector<std::pair<std::string, std::uint64_t>> candidates;  // non-empty files and their sizes
  for (const std::string& path : files) {
    Result<std::uint64_t> size = fs.file_size(path);
    if (size.is_ok() && size.value() > 0) candidates.emplace_back(path, size.value());
  }
  if (candidates.empty()) return false;
  const auto& [path, size] = candidates[rng_.uniform_below(candidates.size())];
  FlippedBit flipped{path, rng_.uniform_below(size * 8), {}};
  if (!layers_.checkpoint_files().flip_bit(path, flipped.bit_index).is_ok()) return false;
  Result<Bytes> damaged = fs.read_file(path, kMaxFileBytes);
  if (damaged.is_ok()) flipped.damaged = std::move(damaged).value();
  refresh_damaged(path, flipped.damaged);
  CKPT_ASSERT(active_flips_.emplace(id, std::move(flipped)).second, "a fault flips one bit");
  ++counters_.bit_flips;
  return true;
}

void FileFaultInjector::refresh_damaged(const std::string& path, const Bytes& now) {
  // Other active flips of the same file expect the file as it is now.
  for (auto& [other_id, other] : active_flips_) {
    if (other.path == path) other.damaged = now;
  }
}

void FileFaultInjector::repair(FaultId id) {
  const auto it = active_flips_.find(id);
  if (it == active_flips_.end()) return;  // nothing was flipped
  const FlippedBit flipped = std::move(it->second);
  active_flips_.erase(it);
  FileSystem& fs = layers_.checkpoint_files();
  Result<Bytes> now = fs.read_file(flipped.path, kMaxFileBytes);
  // Removed, replaced or rewritten since: nothing of the damage is left to repair.
  if (!now.is_ok() || now.value() != flipped.damaged) return;
  if (!layers_.checkpoint_files().flip_bit(flipped.path, flipped.bit_index).is_ok()) return;
  ++counters_.bit_flips_repaired;
  Result<Bytes> repaired = fs.read_file(flipped.path, kMaxFileBytes);
  if (repaired.is_ok()) refresh_damaged(flipped.path, repaired.value());
}

void FileFaultInjector::arm_crash_point(FaultId id, std::uint64_t operations) {
  const std::uint64_t done = layers_.checkpoint_files().operation_count();
  CKPT_ASSERT(crash_points_.emplace(id, done + std::min(operations, UINT64_MAX / 2)).second,
              "a fault arms one crash point");
  apply_crash_points();
}

void FileFaultInjector::power_loss(FaultId id, bool keep_torn_tails) {
  CKPT_ASSERT(crash_points_.erase(id) == 1, "only an armed crash point is healed");
  // A failed power loss (an I/O error while reverting) leaves what it could not revert;
  // the mirror's checks then report any acknowledged file it lost.
  (void)layers_.checkpoint_files().power_loss(sim::PowerLossOptions{keep_torn_tails});
  ++counters_.power_losses;
  apply_crash_points();
}

void FileFaultInjector::apply_crash_points() {
  std::uint64_t earliest = UINT64_MAX;
  for (const auto& [id, at] : crash_points_) earliest = std::min(earliest, at);
  layers_.checkpoint_files().freeze_after(earliest);
}

// --- the faults ---

namespace {

Status checkpoint_files_available(FaultWorld& world, std::string_view type) {
  Result<FileFaultInjector*> injector = world.file_faults();
  if (!injector.is_ok()) return injector.status();
  if (!injector.value()->has_checkpoint_files()) {
    return Status::invalid_argument(std::string(type) +
                                    " needs real checkpoint files: this run has no execution.checkpointing.dir");
  }
  return Status::ok();
}

Status rocksdb_available(FaultWorld& world, std::string_view type) {
  Result<FileFaultInjector*> injector = world.file_faults();
  if (!injector.is_ok()) return injector.status();
  if (!injector.value()->has_rocksdb()) {
    return Status::invalid_argument(std::string(type) + " needs RocksDB: this run's state.backend.type is not rocksdb");
  }
  return Status::ok();
}

bool is_rocksdb(FileFaultRule::Kind kind) {
  return kind == FileFaultRule::Kind::kRocksDbWriteFailure || kind == FileFaultRule::Kind::kRocksDbSyncFailure;
}

// The per-operation kinds: one rule active from start to heal.
class FileRuleFault final : public Fault {
 public:
  FileRuleFault(ScheduledFault spec, FileFaultRule rule) : Fault(std::move(spec)), rule_(rule) {}
  Status set_up(FaultWorld& world) override {
    return is_rocksdb(rule_.kind) ? rocksdb_available(world, spec().type) : checkpoint_files_available(world, spec().type);
  }
  bool start(FaultWorld& world) override {
    world.file_faults().value()->add(id(), rule_);
    return true;
  }
  void heal(FaultWorld& world) override { world.file_faults().value()->remove(id()); }
  std::string describe_target() const override { return is_rocksdb(rule_.kind) ? "rocksdb" : "checkpoint-files"; }

 private:
  FileFaultRule rule_;
};

class BitFlipFault final : public Fault {
 public:
  explicit BitFlipFault(ScheduledFault spec) : Fault(std::move(spec)) {}
  Status set_up(FaultWorld& world) override { return checkpoint_files_available(world, spec().type); }
  bool start(FaultWorld& world) override {
    return world.file_faults().value()->flip_random_bit(id());   // no stored file yet: skipped
  }
  void heal(FaultWorld& world) override { world.file_faults().value()->repair(id()); }
  std::string describe_target() const override { return "checkpoint-files"; }
};

class PowerLossFault final : public Fault {
 public:
  PowerLossFault(ScheduledFault spec, std::uint64_t max_operations, bool torn_tails)
      : Fault(std::move(spec)), max_operations_(max_operations), torn_tails_(torn_tails) {}
  Status set_up(FaultWorld& world) override { return checkpoint_files_available(world, spec().type); }
  bool start(FaultWorld& world) override {
    FileFaultInjector& injector = *world.file_faults().value();
    injector.arm_crash_point(id(), injector.draw_below(max_operations_ + 1));
    return true;
  }
  void heal(FaultWorld& world) override { world.file_faults().value()->power_loss(id(), torn_tails_); }
  std::string describe_target() const override { return "checkpoint-storage"; }

 private:
  std::uint64_t max_operations_;
  bool torn_tails_;
};

std::unique_ptr<Fault> make_rule_fault(const ScheduledFault& spec, ParamReader& reader, FileFaultRule::Kind kind) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  FileFaultRule rule;
  rule.kind = kind;
  rule.probability = reader.probability("probability", 1.0);
  return std::make_unique<FileRuleFault>(spec, rule);
}

constexpr std::string_view kYesNo[] = {"false", "true"};

}  // namespace

std::unique_ptr<Fault> make_checkpoint_file_write_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  return make_rule_fault(spec, reader, FileFaultRule::Kind::kWriteFailure);
}
std::unique_ptr<Fault> make_checkpoint_file_sync_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  return make_rule_fault(spec, reader, FileFaultRule::Kind::kSyncFailure);
}
std::unique_ptr<Fault> make_checkpoint_file_torn_write_fault(const ScheduledFault& spec, ParamReader& reader) {
  return make_rule_fault(spec, reader, FileFaultRule::Kind::kTornWrite);
}
std::unique_ptr<Fault> make_rocksdb_write_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  return make_rule_fault(spec, reader, FileFaultRule::Kind::kRocksDbWriteFailure);
}
std::unique_ptr<Fault> make_rocksdb_sync_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  return make_rule_fault(spec, reader, FileFaultRule::Kind::kRocksDbSyncFailure);
}

std::unique_ptr<Fault> make_checkpoint_file_bit_flip_fault(const ScheduledFault& spec, ParamReader& reader) {
  // Instant (permanent) or lasting (repaired at the heal).
  if (spec.at_ns < 0) reader.fail("at", "expected a time >= 0, got " + std::to_string(spec.at_ns) + "ns");
  if (spec.duration_ns < 0 || spec.duration_ns > kTimeNever - std::max<TimeNs>(spec.at_ns, 0)) {
    reader.fail("duration", "expected a duration >= 0, got " + std::to_string(spec.duration_ns) + "ns");
  }
  if (spec.restart_after_ns != -1) reader.fail("restart-after", "a " + spec.type + " fault takes no restart delay");
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  return std::make_unique<BitFlipFault>(spec);
}

std::unique_ptr<Fault> make_checkpoint_storage_power_loss_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  const auto max_operations = static_cast<std::uint64_t>(reader.integer("max-operations", 10, 0, 1'000'000));
  const bool torn_tails = reader.choice("torn-tails", "false", kYesNo) == "true";
  return std::make_unique<PowerLossFault>(spec, max_operations, torn_tails);
}

}  // namespace ckptsim::faults
