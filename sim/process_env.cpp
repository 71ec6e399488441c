#include "sim/process_env.h"

#include "sim/simulation.h"

namespace ckptsim::sim {

ProcessEnv::ProcessEnv(Simulation& simulation, ProcessId id)
    : simulation_(simulation), id_(id), rng_(simulation.derive_rng("process", static_cast<std::uint64_t>(id) << 32)) {}

TimeNs ProcessEnv::now_ns() const { return simulation_.now_ns(); }

TimerId ProcessEnv::schedule_after(DurationNs delay_ns, std::function<void()> callback) {
  return simulation_.schedule_after(id_, delay_ns, std::move(callback));
}

bool ProcessEnv::cancel(TimerId timer) { return simulation_.cancel_timer(timer); }

Status ProcessEnv::send(ProcessId to, RpcMessage message) { return simulation_.send_rpc(id_, to, std::move(message)); }

void ProcessEnv::reseed(std::uint32_t incarnation) {
  rng_ = simulation_.derive_rng("process", (static_cast<std::uint64_t>(id_) << 32) | incarnation);
}

}  // namespace ckptsim::sim
