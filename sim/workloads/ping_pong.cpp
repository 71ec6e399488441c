#include "sim/workloads/ping_pong.h"

#include <memory>
#include <string>
#include <vector>

#include "sim/process_env.h"

namespace ckptsim::sim::workloads {

std::uint64_t run_ping_pong(Simulation& simulation, const PingPongOptions& options) {
  CKPT_ASSERT(options.process_count >= 2, "ping-pong needs at least two processes");
  CKPT_ASSERT(simulation.process_count() == 0, "ping-pong builds its own processes");
  for (std::uint32_t i = 0; i < options.process_count; ++i) simulation.add_process("p" + std::to_string(i));
  const std::uint32_t count = options.process_count;
  for (ProcessId id = 0; id < count; ++id) {
    const ProcessId next = (id + 1) % count;
    simulation.set_rpc_handler(id, [&simulation, id, next](ProcessId, RpcMessage message) {
      ++message.type;  // hop count, so the fingerprint depends on the token's history
      const Status sent = simulation.send_rpc(id, next, std::move(message));
      CKPT_ASSERT(sent.is_ok(), "ping-pong send never fails");
    });
  }
  for (ProcessId id = 0; id < count; ++id) {
    const Status sent = simulation.send_rpc(id, (id + 1) % count, RpcMessage{0, {}});
    CKPT_ASSERT(sent.is_ok(), "ping-pong send never fails");
  }
  return simulation.run_until_idle(options.max_events);
}

namespace {

struct TimerStormState {
  Simulation* simulation = nullptr;
  TimerStormOptions options;
  std::vector<std::vector<TimerId>> timers;  // per process, per timer index
  std::vector<Rng> rngs;
};

void arm_storm_timer(const std::shared_ptr<TimerStormState>& state, ProcessId process, std::uint32_t index) {
  Rng& rng = state->rngs[process];
  const DurationNs delay_ns = rng.exponential_ns(state->options.mean_delay_ns);
  state->timers[process][index] = state->simulation->schedule_after(process, delay_ns, [state, process, index] {
    Rng& r = state->rngs[process];
    if (r.uniform_below(4) == 0) {
      const auto victim = static_cast<std::uint32_t>(r.uniform_below(state->options.timers_per_process));
      if (victim != index && state->simulation->cancel_timer(state->timers[process][victim])) {
        arm_storm_timer(state, process, victim);
      }
    }
    arm_storm_timer(state, process, index);
  });
}

}  // namespace

std::uint64_t run_timer_storm(Simulation& simulation, const TimerStormOptions& options) {
  CKPT_ASSERT(simulation.process_count() == 0, "timer storm builds its own processes");
  auto state = std::make_shared<TimerStormState>();
  state->simulation = &simulation;
  state->options = options;
  state->timers.assign(options.process_count, std::vector<TimerId>(options.timers_per_process, kNoTimer));
  for (std::uint32_t i = 0; i < options.process_count; ++i) {
    simulation.add_process("t" + std::to_string(i));
    state->rngs.push_back(simulation.derive_rng("timer-storm", i));
  }
  for (ProcessId p = 0; p < options.process_count; ++p) {
    for (std::uint32_t t = 0; t < options.timers_per_process; ++t) arm_storm_timer(state, p, t);
  }
  const std::uint64_t processed = simulation.run_until_idle(options.max_events);
  // Break the reference cycle between pending callbacks and the state.
  for (auto& per_process : state->timers) {
    for (TimerId id : per_process) simulation.cancel_timer(id);
  }
  return processed;
}

}  // namespace ckptsim::sim::workloads
