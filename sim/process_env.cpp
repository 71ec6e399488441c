#include "sim/process_env.h"

#include "sim/simulation.h"

namespace ckptsim::sim {

ProcessEnv::ProcessEnv(Simulation& simulation, ProcessId id)
    : simulation_(simulation), id_(id), rng_(simulation.derive_rng("process", static_cast<std::uint64_t>(id) << 32)) {}

TimeNs ProcessEnv::now_ns() const {
  const TimeNs real_ns = simulation_.now_ns();
  return clock_.is_identity() ? real_ns : clock_.local_ns(real_ns);
}

TimerId ProcessEnv::schedule_after(DurationNs delay_ns, std::function<void()> callback) {
  CKPT_ASSERT(delay_ns >= 0, "timers are scheduled in the future");
  const DurationNs real_delay_ns =
      clock_.is_identity() ? delay_ns : clock_.real_delay_ns(delay_ns, kTimeNever - simulation_.now_ns());
  return simulation_.schedule_after(id_, real_delay_ns, std::move(callback));
}

bool ProcessEnv::cancel(TimerId timer) { return simulation_.cancel_timer(timer); }

Status ProcessEnv::send(ProcessId to, RpcMessage message) { return simulation_.send_rpc(id_, to, std::move(message)); }

void ProcessEnv::adjust_clock(ClockAdjustment adjustment) {
  clock_.adjust(simulation_.now_ns(), adjustment);
  simulation_.log().append(simulation_.now_ns(), record_kind::kClockAdjusted, id_,
                           static_cast<std::uint64_t>(adjustment.step_ns),
                           static_cast<std::uint64_t>(adjustment.drift_ppm));
}

void ProcessEnv::reseed(std::uint32_t incarnation) {
  rng_ = simulation_.derive_rng("process", (static_cast<std::uint64_t>(id_) << 32) | incarnation);
}

}  // namespace ckptsim::sim
