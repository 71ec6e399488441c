// Network faults: partitions (symmetric, one-way, isolating one process, splitting the
// cluster in two), added latency and jitter, slow links (a bandwidth cap), clogging,
// and cut connections. They act through the kernel's link conditions
// (Simulation::set_partitioned, set_link_extra_latency, set_link_bandwidth,
// clog_link/clog_process, cut_connections).
//
// Kernel semantics they rely on (sim/link_table.h, sim/channel_network.h): on a
// partitioned link RPCs are lost and data buffers are held (TCP retransmitting) until
// it heals; a clogged link delivers nothing before its end, then everything in order; a
// cut connection fails the data channels on both ends at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "faults/fault.h"
#include "faults/fault_params.h"
#include "sim/simulation.h"

namespace ckptsim::faults {

// A directed link, from -> to.
using Link = std::pair<ProcessId, ProcessId>;

// Composes overlapping link faults per directed link and applies the result to the
// kernel: a link is partitioned while at least one fault partitions it; its added
// latency and jitter are the sums over the active latency faults; its bandwidth cap is
// the lowest active cap (none when no fault caps it). Contributions are keyed by
// FaultId; removing one that is not there is a programmer error. Iteration is over
// ordered maps, so the kernel calls are deterministic.
class LinkFaultLedger {
 public:
  explicit LinkFaultLedger(sim::Simulation& simulation) : simulation_(simulation) {}

  void add_partition(FaultId id, Link link);
  void remove_partition(FaultId id, Link link);
  void add_latency(FaultId id, Link link, DurationNs extra_ns, DurationNs jitter_ns);
  void remove_latency(FaultId id, Link link);
  void add_bandwidth_cap(FaultId id, Link link, std::uint64_t bytes_per_second);
  void remove_bandwidth_cap(FaultId id, Link link);

  bool partitioned(Link link) const;

 private:
  struct Latency {
    DurationNs extra_ns = 0;
    DurationNs jitter_ns = 0;
  };
  struct LinkFaults {
    std::map<FaultId, bool> partitions;
    std::map<FaultId, Latency> latencies;
    std::map<FaultId, std::uint64_t> caps;
  };
  void apply_latency(Link link, const LinkFaults& faults);
  void apply_cap(Link link, const LinkFaults& faults);

  sim::Simulation& simulation_;
  std::map<Link, LinkFaults> links_;
};

// Factories for the catalogue (fault_catalogue.cpp): each checks the fault's fields
// and params, recording problems in `reader`.
std::unique_ptr<Fault> make_partition_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_latency_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_slow_link_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_clog_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_connection_cut_fault(const ScheduledFault& spec, ParamReader& reader);

}  // namespace ckptsim::faults
