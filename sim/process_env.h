// One simulated process's view of the world: the protocol's Clock, Timers,
// RpcTransport and Randomness interfaces implemented on the Simulation.
//
// Timers scheduled through this env belong to the process's current incarnation and
// are dropped if it crashes. The random stream is derived from (seed, process,
// incarnation), so a restarted process draws a fresh but reproducible stream.
//
// Time as the process sees it goes through its ProcessClock (sim/process_clock.h):
// now_ns() is the clock's local time and a timer asked for a local delay d waits the
// real delay ceil(d * 1e6 / (1e6 + drift_ppm)). Unskewed (the default) both are exactly
// the simulation's. The clock belongs to the machine: it survives crashes and restarts.
#pragma once

#include "protocol/env/clock.h"
#include "protocol/env/randomness.h"
#include "protocol/env/transport.h"
#include "sim/process_clock.h"
#include "sim/random.h"

namespace ckptsim::sim {

class Simulation;

class ProcessEnv final : public Clock, public Timers, public RpcTransport, public Randomness {
 public:
  ProcessEnv(Simulation& simulation, ProcessId id);

  ProcessId id() const { return id_; }
  TimeNs now_ns() const override;
  TimerId schedule_after(DurationNs delay_ns, std::function<void()> callback) override;
  bool cancel(TimerId timer) override;
  Status send(ProcessId to, RpcMessage message) override;
  std::uint64_t next_u64() override { return rng_.next_u64(); }
  std::uint64_t uniform_below(std::uint64_t bound) override { return rng_.uniform_below(bound); }

  // Skews this process's clock from now on (see ProcessClock::adjust); logged as
  // clock_adjusted. Pending timers keep their real due times.
  void adjust_clock(ClockAdjustment adjustment);
  const ProcessClock& clock() const { return clock_; }

  // Called by the Simulation when the process restarts.
  void reseed(std::uint32_t incarnation);

 private:
  Simulation& simulation_;
  ProcessId id_;
  Rng rng_;
  ProcessClock clock_;
};

}  // namespace ckptsim::sim
