// Applies a scenario's fixed list of faults to a simulated cluster: each fault is
// scheduled as a global kernel timer at its time and, when it lasts, healed at the end.
// Faults act only through the kernel's hooks (crash/restart, link conditions); the
// protocol never knows.
//
// Fault kinds handled here (see docs/scenario-format.md):
//   task-manager-crash  crash tm-<i>; restart after `restart_after_ns` unless never
//   job-manager-crash   crash the JobManager; restart after `restart_after_ns`
//   sink-store-crash    crash the external store (its data is durable)
//   network-partition   cut both directions between target and peer for `duration_ns`
//                       (RPCs lost, data held; on heal, held data flows again)
//   link-clog           nothing leaves target (towards peer, or at all) until the end
// The fault phase ends when the last fault healed (a crash without restart ends at
// its crash); the oracle's liveness clock starts there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "sim/cluster/sim_cluster.h"

namespace ckptsim::faults {

struct ScheduledFault {
  std::string type;
  TimeNs at_ns = 0;
  DurationNs duration_ns = 0;
  DurationNs restart_after_ns = -1;  // -1: never
  std::string target;
  std::string peer;
  std::map<std::string, std::string> params;   // type-specific, canonical text (scenario FaultSpec::params)
};

struct FaultWindow {          // for reports: when a fault was active
  std::string type;
  std::string target;
  TimeNs start_ns = 0;
  TimeNs end_ns = 0;
};

class FaultSchedule {
 public:
  FaultSchedule(sim::Simulation& simulation, sim::SimCluster& cluster);
  // Schedules every fault; kInvalidArgument for an unknown kind or process name.
  Status schedule(const std::vector<ScheduledFault>& faults);
  // When the last fault heals (0 without faults).
  TimeNs fault_phase_end_ns() const { return fault_phase_end_ns_; }
  const std::vector<FaultWindow>& windows() const { return windows_; }
  std::uint64_t faults_injected() const { return injected_; }

 private:
  Result<ProcessId> process_named(const std::string& name) const;
  void schedule_crash(ProcessId process, const ScheduledFault& fault);
  void schedule_partition(ProcessId a, ProcessId b, const ScheduledFault& fault);
  void schedule_clog(ProcessId target, std::optional<ProcessId> peer, const ScheduledFault& fault);

  sim::Simulation& simulation_;
  sim::SimCluster& cluster_;
  TimeNs fault_phase_end_ns_ = 0;
  std::vector<FaultWindow> windows_;
  std::uint64_t injected_ = 0;
  sim::RecordKind kind_fault_;
};

}  // namespace ckptsim::faults
