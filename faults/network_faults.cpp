#include "faults/network_faults.h"

#include <algorithm>
#include <string>
#include <vector>

#include "faults/fault_world.h"

namespace ckptsim::faults {

// --- LinkFaultLedger ---

void LinkFaultLedger::add_partition(FaultId id, Link link) {
  LinkFaults& faults = links_[link];
  const bool was_partitioned = !faults.partitions.empty();
  CKPT_ASSERT(faults.partitions.emplace(id, true).second, "a fault partitions a link once");
  if (!was_partitioned) simulation_.set_partitioned(link.first, link.second, true);
}

void LinkFaultLedger::remove_partition(FaultId id, Link link) {
  LinkFaults& faults = links_[link];
  CKPT_ASSERT(faults.partitions.erase(id) == 1, "only a partition that was added is removed");
  if (faults.partitions.empty()) simulation_.set_partitioned(link.first, link.second, false);
}

bool LinkFaultLedger::partitioned(Link link) const {
  const auto it = links_.find(link);
  return it != links_.end() && !it->second.partitions.empty();
}

void LinkFaultLedger::add_latency(FaultId id, Link link, DurationNs extra_ns, DurationNs jitter_ns) {
  CKPT_ASSERT(extra_ns >= 0 && jitter_ns >= 0, "added latency is not negative");
  LinkFaults& faults = links_[link];
  CKPT_ASSERT(faults.latencies.emplace(id, Latency{extra_ns, jitter_ns}).second, "a fault adds latency to a link once");
  apply_latency(link, faults);
}

void LinkFaultLedger::remove_latency(FaultId id, Link link) {
  LinkFaults& faults = links_[link];
  CKPT_ASSERT(faults.latencies.erase(id) == 1, "only latency that was added is removed");
  apply_latency(link, faults);
}

void LinkFaultLedger::apply_latency(Link link, const LinkFaults& faults) {
  DurationNs extra_ns = 0;
  DurationNs jitter_ns = 0;
  for (const auto& [id, latency] : faults.latencies) {
    CKPT_ASSERT(latency.extra_ns <= kTimeNever / 64 && latency.jitter_ns <= kTimeNever / 64, "latency is bounded");
    extra_ns += latency.extra_ns;
    jitter_ns += latency.jitter_ns;
  }
  simulation_.set_link_extra_latency(link.first, link.second, extra_ns, jitter_ns);
}

void LinkFaultLedger::add_bandwidth_cap(FaultId id, Link link, std::uint64_t bytes_per_second) {
  CKPT_ASSERT(bytes_per_second > 0, "a bandwidth cap is positive");
  LinkFaults& faults = links_[link];
  CKPT_ASSERT(faults.caps.emplace(id, bytes_per_second).second, "a fault caps a link once");
  apply_cap(link, faults);
}

void LinkFaultLedger::remove_bandwidth_cap(FaultId id, Link link) {
  LinkFaults& faults = links_[link];
  CKPT_ASSERT(faults.caps.erase(id) == 1, "only a cap that was added is removed");
  apply_cap(link, faults);
}

void LinkFaultLedger::apply_cap(Link link, const LinkFaults& faults) {
  std::uint64_t cap = 0;
  for (const auto& [id, bytes_per_second] : faults.caps) cap = cap == 0 ? bytes_per_second : std::min(cap, bytes_per_second);
  simulation_.set_link_bandwidth(link.first, link.second, cap);
}

namespace {

// Both directions between `target` and `peer`, or between `target` and every other
// process when there is no peer.
std::vector<Link> links_of(FaultWorld& world, ProcessId target, std::optional<ProcessId> peer) {
  std::vector<Link> links;
  for (const ProcessId other : world.processes()) {
    if (other == target || (peer && other != *peer)) continue;
    links.emplace_back(target, other);
    links.emplace_back(other, target);
  }
  return links;
}

// Resolves spec.target and, when set, spec.peer.
Status resolve_target_and_peer(FaultWorld& world, const ScheduledFault& spec, ProcessId& target,
                               std::optional<ProcessId>& peer) {
  Result<ProcessId> t = world.process_named(spec.target);
  if (!t.is_ok()) return t.status();
  target = t.value();
  if (spec.peer.empty()) return Status::ok();
  Result<ProcessId> p = world.process_named(spec.peer);
  if (!p.is_ok()) return p.status();
  peer = p.value();
  return Status::ok();
}

// network-partition, network-partition-oneway, network-isolate, network-split: a set of
// directed links partitioned from start to heal.
class PartitionFault final : public Fault {
 public:
  enum class Shape { kPair, kOneWay, kIsolate, kSplit };
  PartitionFault(ScheduledFault spec, Shape shape, std::vector<std::string> group)
      : Fault(std::move(spec)), shape_(shape), group_(std::move(group)) {}

  Status set_up(FaultWorld& world) override {
    if (shape_ == Shape::kSplit) return set_up_split(world);
    ProcessId target = kNoProcess;
    std::optional<ProcessId> peer;
    if (Status s = resolve_target_and_peer(world, spec(), target, peer); !s.is_ok()) return s;
    if (shape_ == Shape::kOneWay) {
      links_.emplace_back(target, *peer);
    } else {
      links_ = links_of(world, target, peer);
    }
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    for (const Link& link : links_) world.links().add_partition(id(), link);
    return true;
  }
  void heal(FaultWorld& world) override {
    for (const Link& link : links_) world.links().remove_partition(id(), link);
  }
  std::string describe_target() const override {
    switch (shape_) {
      case Shape::kPair: return spec().target + " | " + spec().peer;
      case Shape::kOneWay: return spec().target + " -> " + spec().peer;
      case Shape::kIsolate: return spec().target + " | *";
      case Shape::kSplit: return spec().params.at("group") + " | rest";
    }
    CKPT_UNREACHABLE("unknown partition shape");
  }

 private:
  Status set_up_split(FaultWorld& world) {
    std::vector<bool> inside(world.processes().size(), false);
    for (const std::string& name : group_) {
      Result<ProcessId> process = world.process_named(name);
      if (!process.is_ok()) return process.status();
      inside[process.value()] = true;
    }
    const auto count = static_cast<std::size_t>(std::count(inside.begin(), inside.end(), true));
    if (count == inside.size()) return Status::invalid_argument("network-split: the group holds every process");
    for (const ProcessId a : world.processes()) {
      for (const ProcessId b : world.processes()) {
        if (inside[a] && !inside[b]) {
          links_.emplace_back(a, b);
          links_.emplace_back(b, a);
        }
      }
    }
    return Status::ok();
  }

  Shape shape_;
  std::vector<std::string> group_;
  std::vector<Link> links_;
};

// network-latency: extra latency and jitter on both directions of the target's links.
class LatencyFault final : public Fault {
 public:
  LatencyFault(ScheduledFault spec, DurationNs latency_ns, DurationNs jitter_ns)
      : Fault(std::move(spec)), latency_ns_(latency_ns), jitter_ns_(jitter_ns) {}
  Status set_up(FaultWorld& world) override {
    ProcessId target = kNoProcess;
    std::optional<ProcessId> peer;
    if (Status s = resolve_target_and_peer(world, spec(), target, peer); !s.is_ok()) return s;
    links_ = links_of(world, target, peer);
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    for (const Link& link : links_) world.links().add_latency(id(), link, latency_ns_, jitter_ns_);
    return true;
  }
  void heal(FaultWorld& world) override {
    for (const Link& link : links_) world.links().remove_latency(id(), link);
  }
  std::string describe_target() const override {
    return spec().peer.empty() ? spec().target + " <-> *" : spec().target + " <-> " + spec().peer;
  }

 private:
  DurationNs latency_ns_;
  DurationNs jitter_ns_;
  std::vector<Link> links_;
};

// network-slow-link: a bandwidth cap on both directions of the target's links.
class SlowLinkFault final : public Fault {
 public:
  SlowLinkFault(ScheduledFault spec, std::uint64_t bytes_per_second)
      : Fault(std::move(spec)), bytes_per_second_(bytes_per_second) {}
  Status set_up(FaultWorld& world) override {
    ProcessId target = kNoProcess;
    std::optional<ProcessId> peer;
    if (Status s = resolve_target_and_peer(world, spec(), target, peer); !s.is_ok()) return s;
    links_ = links_of(world, target, peer);
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    for (const Link& link : links_) world.links().add_bandwidth_cap(id(), link, bytes_per_second_);
    return true;
  }
  void heal(FaultWorld& world) override {
    for (const Link& link : links_) world.links().remove_bandwidth_cap(id(), link);
  }
  std::string describe_target() const override {
    return spec().peer.empty() ? spec().target + " <-> *" : spec().target + " <-> " + spec().peer;
  }

 private:
  std::uint64_t bytes_per_second_;
  std::vector<Link> links_;
};

// link-clog: nothing leaves the target (towards the peer, or on any link) before the
// end; the kernel lifts the clog by itself, so heal() has nothing to do.
class ClogFault final : public Fault {
 public:
  using Fault::Fault;
  Status set_up(FaultWorld& world) override { return resolve_target_and_peer(world, spec(), target_, peer_); }
  bool start(FaultWorld& world) override {
    const TimeNs until_ns = *heal_ns();
    if (peer_) {
      world.simulation().clog_link(target_, *peer_, until_ns);
    } else {
      world.simulation().clog_process(target_, until_ns);
    }
    return true;
  }

 private:
  ProcessId target_ = kNoProcess;
  std::optional<ProcessId> peer_;
};

// connection-cut: the data connections between target and peer (or every peer) fail
// at once, on both ends. Instant: nothing to heal; new connections work.
class ConnectionCutFault final : public Fault {
 public:
  using Fault::Fault;
  Status set_up(FaultWorld& world) override { return resolve_target_and_peer(world, spec(), target_, peer_); }
  bool start(FaultWorld& world) override {
    for (const ProcessId other : world.processes()) {
      if (other == target_ || (peer_ && other != *peer_)) continue;
      world.simulation().cut_connections(target_, other);
    }
    return true;
  }
  std::string describe_target() const override {
    return spec().peer.empty() ? spec().target + " x *" : spec().target + " x " + spec().peer;
  }

 private:
  ProcessId target_ = kNoProcess;
  std::optional<ProcessId> peer_;
};

constexpr DurationNs kMaxLatencyNs = 1 * kHour;
constexpr std::uint64_t kMaxBandwidthBytesPerSecond = 1'000'000'000'000ULL;

}  // namespace

std::unique_ptr<Fault> make_partition_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  PartitionFault::Shape shape = PartitionFault::Shape::kPair;
  std::vector<std::string> group;
  if (spec.type == "network-split") {
    shape = PartitionFault::Shape::kSplit;
    check_unused_field(reader, "target", spec.target);
    check_unused_field(reader, "peer", spec.peer);
    group = reader.name_list("group", true);
  } else if (spec.type == "network-isolate") {
    shape = PartitionFault::Shape::kIsolate;
    check_process_field(reader, "target", spec.target, true);
    check_unused_field(reader, "peer", spec.peer);
  } else {
    shape = spec.type == "network-partition-oneway" ? PartitionFault::Shape::kOneWay : PartitionFault::Shape::kPair;
    check_process_field(reader, "target", spec.target, true);
    check_process_field(reader, "peer", spec.peer, true);
    check_distinct_peer(spec, reader);
  }
  return std::make_unique<PartitionFault>(spec, shape, std::move(group));
}

std::unique_ptr<Fault> make_latency_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_process_field(reader, "target", spec.target, true);
  check_distinct_peer(spec, reader);
  const DurationNs latency_ns = reader.duration("latency", std::nullopt, 0, kMaxLatencyNs);
  const DurationNs jitter_ns = reader.duration("jitter", 0, 0, kMaxLatencyNs);
  return std::make_unique<LatencyFault>(spec, latency_ns, jitter_ns);
}

std::unique_ptr<Fault> make_slow_link_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_process_field(reader, "target", spec.target, true);
  check_distinct_peer(spec, reader);
  const auto bandwidth = static_cast<std::uint64_t>(
      reader.integer("bandwidth", std::nullopt, 1, static_cast<std::int64_t>(kMaxBandwidthBytesPerSecond)));
  return std::make_unique<SlowLinkFault>(spec, bandwidth);
}

std::unique_ptr<Fault> make_clog_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_process_field(reader, "target", spec.target, true);
  check_distinct_peer(spec, reader);
  return std::make_unique<ClogFault>(spec);
}

std::unique_ptr<Fault> make_connection_cut_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_no_duration(spec, reader);
  if (spec.restart_after_ns != -1) reader.fail("restart-after", "a connection-cut fault takes no restart delay");
  check_process_field(reader, "target", spec.target, true);
  check_distinct_peer(spec, reader);
  return std::make_unique<ConnectionCutFault>(spec);
}

}  // namespace ckptsim::faults
