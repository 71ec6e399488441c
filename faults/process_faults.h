// Process and time faults: crashes (task manager, job manager, the sink's external
// store) with or without restart, stop-the-world pauses, and skewed or drifting clocks.
//
//   crash    Simulation::crash: the process loses its volatile state, timers and
//            in-flight messages; a restart (Simulation::restart) boots it empty and it
//            recovers from durable storage. A crash of a process that is already down
//            does nothing and is not healed (the earlier crash's restart stands).
//   pause    Simulation::pause: the process handles no event until the pause ends, then
//            everything that came due, in order (sim/simulation.h).
//   clock    ProcessEnv::adjust_clock: at the start the clock steps forward by `step`
//            and drifts by the sum of the drifts of the clock faults active on that
//            process (clamped to ProcessClock's bounds); each heal re-sums the drift
//            without it and keeps the offset accumulated so far (a monotonic clock
//            never steps back). See sim/process_clock.h for the exact arithmetic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "faults/fault.h"
#include "faults/fault_params.h"
#include "sim/simulation.h"

namespace ckptsim::faults {

// Composes the drifts of overlapping clock faults per process.
class ClockDriftLedger {
 public:
  explicit ClockDriftLedger(sim::Simulation& simulation) : simulation_(simulation) {}
  void add(FaultId id, ProcessId process, DurationNs step_ns, std::int64_t drift_ppm);
  void remove(FaultId id, ProcessId process);

 private:
  void apply(ProcessId process, DurationNs step_ns);

  sim::Simulation& simulation_;
  std::map<ProcessId, std::map<FaultId, std::int64_t>> drifts_;
};

std::unique_ptr<Fault> make_crash_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_pause_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_clock_skew_fault(const ScheduledFault& spec, ParamReader& reader);

}  // namespace ckptsim::faults
