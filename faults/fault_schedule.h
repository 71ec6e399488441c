// Applies a list of faults (a scenario's fixed list, or the swarm generator's) to a
// simulated world: each fault becomes a Fault object from the catalogue
// (fault_catalogue.h), is set up against the world, started by a global kernel timer
// at its time and, when it has an end, healed by another. Faults act only through the
// kernel's hooks; the protocol never knows. docs/fault-catalogue.md lists every kind.
//
// Contract:
//  * schedule() is all or nothing: when one fault is malformed or names something the
//    world lacks, it returns kInvalidArgument and schedules none of the list.
//  * Start and heal times are absolute simulated times (a time already past starts the
//    fault at once). A fault whose start finds nothing to do (a crash of a process that
//    is already down, a pause of a down process) is logged as skipped and not healed.
//  * The fault phase ends when the last fault has healed (a crash without restart and
//    an instant fault end at their start); the oracle's liveness clock starts there.
//  * Event log: kind "fault", process = the fault's number in the schedule,
//    a = 1 start, 2 heal, 3 skipped; b = the kind's index in fault_kinds().
//  * The schedule must outlive the simulation's run and be destroyed before the
//    simulation (it uninstalls the hooks it installed). One schedule per simulation:
//    the kernel has one RPC fault hook and the storage one set of fault hooks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "faults/fault.h"
#include "faults/fault_world.h"
#include "protocol/base/status.h"
#include "sim/cluster/sim_cluster.h"

namespace ckptsim::faults {

struct FaultWindow {          // for reports: when a fault was active
  std::string type;
  std::string target;
  TimeNs start_ns = 0;
  TimeNs end_ns = 0;
};

class FaultSchedule {
 public:
  // A bound on the faults of one schedule (a scenario holds at most 10,000).
  static constexpr std::size_t kMaxFaults = 100'000;

  // Faults on a simulated cluster (its processes and its checkpoint storage).
  FaultSchedule(sim::Simulation& simulation, sim::SimCluster& cluster);
  // Faults on any simulation (kernel-level tests); `storage` may be null.
  FaultSchedule(sim::Simulation& simulation, sim::SimBlobStorage* storage);
  ~FaultSchedule();
  FaultSchedule(const FaultSchedule&) = delete;
  FaultSchedule& operator=(const FaultSchedule&) = delete;

  // Schedules every fault; kInvalidArgument for an unknown kind, a malformed fault or
  // an unknown process name (then nothing is scheduled).
  Status schedule(const std::vector<ScheduledFault>& faults);
  // When the last fault heals (0 without faults).
  TimeNs fault_phase_end_ns() const { return fault_phase_end_ns_; }
  const std::vector<FaultWindow>& windows() const { return windows_; }
  std::uint64_t faults_injected() const { return injected_; }
  std::uint64_t faults_skipped() const { return skipped_; }
  std::uint64_t faults_healed() const { return healed_; }
  FaultWorld& world() { return world_; }

 private:
  void arm(Fault& fault);
  void record(const Fault& fault, std::uint64_t what);

  sim::Simulation& simulation_;
  FaultWorld world_;
  std::vector<std::unique_ptr<Fault>> faults_;
  TimeNs fault_phase_end_ns_ = 0;
  std::vector<FaultWindow> windows_;
  std::uint64_t injected_ = 0;
  std::uint64_t skipped_ = 0;
  std::uint64_t healed_ = 0;
  sim::RecordKind kind_fault_;
};

}  // namespace ckptsim::faults
