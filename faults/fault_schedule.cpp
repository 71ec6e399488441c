#include "faults/fault_schedule.h"

#include <algorithm>
#include <optional>

namespace ckptsim::faults {

FaultSchedule::FaultSchedule(sim::Simulation& simulation, sim::SimCluster& cluster)
    : simulation_(simulation), cluster_(cluster), kind_fault_(simulation.log().register_kind("fault")) {}

Result<ProcessId> FaultSchedule::process_named(const std::string& name) const {
  if (name == "jm") return cluster_.job_manager_process();
  if (name == "sink-store") return cluster_.sink_store_process();
  const auto& tms = cluster_.task_manager_processes();
  if (name.rfind("tm-", 0) == 0 && name.size() > 3 && name.size() < 10) {
    std::uint32_t index = 0;
    for (std::size_t i = 3; i < name.size(); ++i) {
      if (name[i] < '0' || name[i] > '9') return Status::invalid_argument("unknown process '" + name + "'");
      index = index * 10 + static_cast<std::uint32_t>(name[i] - '0');
    }
    if (index < tms.size()) return tms[index];
  }
  return Status::invalid_argument("unknown process '" + name + "' (expected jm, sink-store or tm-<i>)");
}

Status FaultSchedule::schedule(const std::vector<ScheduledFault>& faults) {
  for (const ScheduledFault& fault : faults) {
    if (fault.type == "task-manager-crash" || fault.type == "job-manager-crash" || fault.type == "sink-store-crash") {
      const std::string target = fault.type == "job-manager-crash" ? "jm" : fault.type == "sink-store-crash" ? "sink-store" : fault.target;
      Result<ProcessId> process = process_named(target);
      if (!process.is_ok()) return process.status();
      schedule_crash(process.value(), fault);
    } else if (fault.type == "network-partition") {
      Result<ProcessId> a = process_named(fault.target);
      if (!a.is_ok()) return a.status();
      Result<ProcessId> b = process_named(fault.peer);
      if (!b.is_ok()) return b.status();
      schedule_partition(a.value(), b.value(), fault);
    } else if (fault.type == "link-clog") {
      Result<ProcessId> target = process_named(fault.target);
      if (!target.is_ok()) return target.status();
      std::optional<ProcessId> peer;
      if (!fault.peer.empty()) {
        Result<ProcessId> p = process_named(fault.peer);
        if (!p.is_ok()) return p.status();
        peer = p.value();
      }
      schedule_clog(target.value(), peer, fault);
    } else {
      return Status::invalid_argument("unknown fault type '" + fault.type + "'");
    }
  }
  return Status::ok();
}

void FaultSchedule::schedule_crash(ProcessId process, const ScheduledFault& fault) {
  const TimeNs heal_ns = fault.restart_after_ns >= 0 ? fault.at_ns + fault.restart_after_ns : fault.at_ns;
  fault_phase_end_ns_ = std::max(fault_phase_end_ns_, heal_ns);
  windows_.push_back(FaultWindow{fault.type, simulation_.process(process).name, fault.at_ns, heal_ns});
  const DurationNs restart_after_ns = fault.restart_after_ns;
  simulation_.schedule_global_after(fault.at_ns, [this, process, restart_after_ns] {
    if (!simulation_.is_alive(process)) return;  // already down (overlapping faults)
    ++injected_;
    simulation_.record(kind_fault_, process, 1, 0);
    simulation_.crash(process);
    if (restart_after_ns < 0) return;
    simulation_.schedule_global_after(restart_after_ns, [this, process] {
      if (simulation_.is_alive(process)) return;
      simulation_.record(kind_fault_, process, 2, 0);
      simulation_.restart(process);
    });
  });
}

void FaultSchedule::schedule_partition(ProcessId a, ProcessId b, const ScheduledFault& fault) {
  const TimeNs heal_ns = fault.at_ns + fault.duration_ns;
  fault_phase_end_ns_ = std::max(fault_phase_end_ns_, heal_ns);
  windows_.push_back(FaultWindow{fault.type, fault.target + " | " + fault.peer, fault.at_ns, heal_ns});
  simulation_.schedule_global_after(fault.at_ns, [this, a, b, duration_ns = fault.duration_ns] {
    ++injected_;
    simulation_.record(kind_fault_, a, 3, b);
    simulation_.set_partitioned(a, b, true);
    simulation_.set_partitioned(b, a, true);
    simulation_.schedule_global_after(duration_ns, [this, a, b] {
      simulation_.record(kind_fault_, a, 4, b);
      simulation_.set_partitioned(a, b, false);
      simulation_.set_partitioned(b, a, false);
    });
  });
}

void FaultSchedule::schedule_clog(ProcessId target, std::optional<ProcessId> peer, const ScheduledFault& fault) {
  const TimeNs heal_ns = fault.at_ns + fault.duration_ns;
  fault_phase_end_ns_ = std::max(fault_phase_end_ns_, heal_ns);
  windows_.push_back(FaultWindow{fault.type, fault.target, fault.at_ns, heal_ns});
  simulation_.schedule_global_after(fault.at_ns, [this, target, peer, heal_ns] {
    ++injected_;
    simulation_.record(kind_fault_, target, 5, heal_ns);
    if (peer) {
      simulation_.clog_link(target, *peer, heal_ns);
    } else {
      simulation_.clog_process(target, heal_ns);
    }
  });
}

}  // namespace ckptsim::faults
