// Kernel workloads with no protocol in them: they exercise the event queue, timers,
// RPC and data channels, and serve the kernel benchmark, `ckptsim selfcheck` and the
// kernel demo.
//
// PingPong: `process_count` processes in a ring, each starting one token; a process
// that receives a token passes it on to its successor by RPC. Every delivery is one
// event. Runs until `max_events` were processed.
//
// TimerStorm: each process keeps `timers_per_process` timers pending; each firing
// schedules a replacement with a random delay and cancels-and-replaces another one
// with probability 1/4, so cancellations and lazy deletion are exercised.
//
// ChannelMesh: producers stream buffers to consumers over data channels with credit
// flow control; consumers are slower than producers, so backpressure is constant;
// optional crash/restart of a consumer in the middle of the run.
#pragma once

#include <cstdint>

#include "sim/simulation.h"

namespace ckptsim::sim::workloads {

struct PingPongOptions {
  std::uint32_t process_count = 2;
  std::uint64_t max_events = 1'000'000;
};
// Sets up the ring in `simulation` (which must have no processes yet) and runs it.
std::uint64_t run_ping_pong(Simulation& simulation, const PingPongOptions& options);

struct TimerStormOptions {
  std::uint32_t process_count = 16;
  std::uint32_t timers_per_process = 64;
  DurationNs mean_delay_ns = 10 * kMillisecond;
  std::uint64_t max_events = 1'000'000;
};
std::uint64_t run_timer_storm(Simulation& simulation, const TimerStormOptions& options);

struct ChannelMeshOptions {
  std::uint32_t producers = 4;
  std::uint32_t consumers = 4;
  std::uint32_t buffer_bytes = 1024;
  DurationNs consume_cost_ns = 20 * kMicrosecond;
  TimeNs run_for_ns = 1 * kSecond;
  TimeNs crash_consumer_at_ns = -1;   // -1: no crash
  DurationNs restart_after_ns = 50 * kMillisecond;
};
struct ChannelMeshResult {
  std::uint64_t buffers_sent = 0;
  std::uint64_t buffers_consumed = 0;
  std::uint64_t backpressure_stalls = 0;
  std::uint64_t channel_failures_seen = 0;
};
ChannelMeshResult run_channel_mesh(Simulation& simulation, const ChannelMeshOptions& options);

}  // namespace ckptsim::sim::workloads
