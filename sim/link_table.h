// Per-link network conditions that faults change: added latency and jitter, a bandwidth
// cap, clogging (nothing gets through before a given time), partitions (RPCs are lost, data is held
// like TCP retransmitting until the partition heals). Links are directed
// (from -> to) so partitions can be asymmetric; a process-wide clog affects every link
// from or to that process.
//
// The kernel consults this table for every message; the fault catalogue (faults/)
// changes it through Simulation's methods. When no fault was ever set the lookups are
// skipped entirely.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/env/transport.h"

namespace ckptsim::sim {

struct LinkConditions {
  DurationNs extra_latency_ns = 0;
  DurationNs jitter_ns = 0;        // extra uniform delay in [0, jitter_ns]
  TimeNs clogged_until_ns = 0;     // messages do not leave before this time
  std::uint64_t bandwidth_bytes_per_second = 0;  // a cap on the link's rate; 0: none
  bool partitioned = false;
};

class LinkTable {
 public:
  bool any_conditions() const { return any_conditions_; }

  LinkConditions& link(ProcessId from, ProcessId to) {
    any_conditions_ = true;
    return links_[key(from, to)];
  }

  // The delay a message sent now on from -> to gets on top of the base latency,
  // excluding jitter (drawn by the caller from the network's random stream).
  DurationNs added_delay_ns(ProcessId from, ProcessId to, TimeNs now_ns, DurationNs* jitter_ns) const {
    *jitter_ns = 0;
    if (!any_conditions_) return 0;
    TimeNs clogged_until_ns = std::max(process_clog(from), process_clog(to));
    DurationNs extra_ns = 0;
    if (auto it = links_.find(key(from, to)); it != links_.end()) {
      clogged_until_ns = std::max(clogged_until_ns, it->second.clogged_until_ns);
      extra_ns = it->second.extra_latency_ns;
      *jitter_ns = it->second.jitter_ns;
    }
    return extra_ns + std::max<DurationNs>(0, clogged_until_ns - now_ns);
  }

  // The bandwidth cap of from -> to, 0 when none was set.
  std::uint64_t bandwidth_cap(ProcessId from, ProcessId to) const {
    if (!any_conditions_) return 0;
    auto it = links_.find(key(from, to));
    return it == links_.end() ? 0 : it->second.bandwidth_bytes_per_second;
  }

  bool partitioned(ProcessId from, ProcessId to) const {
    if (!any_conditions_) return false;
    auto it = links_.find(key(from, to));
    return it != links_.end() && it->second.partitioned;
  }

  void clog_process(ProcessId process, TimeNs until_ns) {
    any_conditions_ = true;
    if (process_clogged_until_ns_.size() <= process) process_clogged_until_ns_.resize(process + 1, 0);
    process_clogged_until_ns_[process] = std::max(process_clogged_until_ns_[process], until_ns);
  }

 private:
  static std::uint64_t key(ProcessId from, ProcessId to) { return (static_cast<std::uint64_t>(from) << 32) | to; }
  TimeNs process_clog(ProcessId p) const {
    return p < process_clogged_until_ns_.size() ? process_clogged_until_ns_[p] : 0;
  }

  bool any_conditions_ = false;
  std::map<std::uint64_t, LinkConditions> links_;  // ordered: iteration is deterministic
  std::vector<TimeNs> process_clogged_until_ns_;
};

}  // namespace ckptsim::sim
