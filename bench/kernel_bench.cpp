// Kernel throughput: simulated events per wall-clock second (items_per_second).
//
//  * PingPong/N: N processes in a ring passing N tokens by RPC; one event per hop.
//    Target: >= 20 M events/s on one core.
//  * TimerStorm/N: N processes, each with 64 pending timers, re-arming with random
//    delays and cancelling 1 in 4 (lazy deletion in the queue).
//  * EventQueueOnly/N: the bare heap with N pending events, the baseline the two
//    above are measured against in the same run.
#include <benchmark/benchmark.h>

#include "sim/allocator_tuning.h"

#include "sim/event_queue.h"
#include "sim/random.h"
#include "sim/workloads/ping_pong.h"

namespace {

using namespace ckptsim;
using namespace ckptsim::sim;

constexpr std::uint64_t kEventsPerIteration = 1'000'000;

void PingPong(benchmark::State& state) {
  const auto processes = static_cast<std::uint32_t>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    Simulation simulation(SimulationOptions{42, {}, {}});
    events += workloads::run_ping_pong(simulation, {processes, kEventsPerIteration});
    benchmark::DoNotOptimize(simulation.fingerprint());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(PingPong)->Arg(2)->Arg(64)->Arg(4096)->Unit(benchmark::kMillisecond);

void TimerStorm(benchmark::State& state) {
  const auto processes = static_cast<std::uint32_t>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    Simulation simulation(SimulationOptions{42, {}, {}});
    events += workloads::run_timer_storm(simulation, {processes, 64, 10 * kMillisecond, kEventsPerIteration});
    benchmark::DoNotOptimize(simulation.fingerprint());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(TimerStorm)->Arg(2)->Arg(64)->Arg(1024)->Unit(benchmark::kMillisecond);

void EventQueueOnly(benchmark::State& state) {
  const auto pending = static_cast<std::uint32_t>(state.range(0));
  Rng rng(42);
  std::uint64_t events = 0;
  for (auto _ : state) {
    EventQueue queue;
    for (std::uint32_t i = 0; i < pending; ++i) queue.push(static_cast<TimeNs>(rng.uniform_below(1'000'000)), EventKind::kTimer, i);
    for (std::uint64_t i = 0; i < kEventsPerIteration; ++i) {
      const Event e = queue.pop();
      queue.push(e.time_ns + 1 + static_cast<TimeNs>(rng.uniform_below(1'000'000)), EventKind::kTimer, e.slot);
    }
    events += kEventsPerIteration;
    benchmark::DoNotOptimize(queue.size());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(EventQueueOnly)->Arg(2)->Arg(64)->Arg(4096)->Unit(benchmark::kMillisecond);

}  // namespace

// Benchmarks run with the same allocator settings as ckptsim itself.
static const bool kAllocatorConfigured = [] {
  ckptsim::sim::configure_allocator_for_simulation();
  return true;
}();
