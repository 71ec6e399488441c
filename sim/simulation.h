// One deterministic simulated world: virtual time, the event queue, processes, timers,
// RPC links and data channels, the event log and its fingerprint.
//
// Contract:
//  * Single-threaded. Nothing here is global or static-mutable: any number of
//    Simulations can live side by side, one per thread.
//  * Determinism: given the same options (seed) and the same sequence of calls, the
//    event log — and so fingerprint() — is identical on every run and machine. Events
//    run in (time, insertion sequence) order; randomness comes only from streams
//    derived from the seed (derive_rng); no wall clock is read.
//  * Crashes: crash(p) makes everything stamped with p's current incarnation stale —
//    its timers, messages it sent that are still in flight, messages addressed to it,
//    and its data channels (whose surviving ends are told the connection failed).
//  * Callbacks (timers, message handlers, channel listeners) run from run_*()/step(),
//    never re-entrantly from inside the call that scheduled them.
//  * Pauses: pause(p, until) stops p's world (a stop-the-world GC): every event p would
//    handle — its timers, RPCs addressed to it, data arriving at it, credits returning
//    to it, failures of its channels, completions of its storage operations — is held
//    in p's deferred queue in the order it came due, and handled at `until` in that
//    same order, before any other event of that instant queued after the pause began.
//    So p sees exactly the event sequence it would have seen, shifted in time; nothing
//    is lost or reordered. Everyone else keeps running. A crash ends a pause: the
//    deferred events are re-queued and go stale like any other of the dead incarnation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/env/clock.h"
#include "protocol/env/transport.h"
#include "sim/channel_network.h"
#include "sim/event_log.h"
#include "sim/event_queue.h"
#include "sim/link_table.h"
#include "sim/process_table.h"
#include "sim/random.h"
#include "sim/sim_logger.h"
#include "sim/timer_table.h"

namespace ckptsim::sim {

class ProcessEnv;

struct NetworkOptions {
  DurationNs rpc_latency_ns = 1 * kMillisecond;    // one-way latency of control messages
  std::uint32_t max_rpcs_in_flight = 1u << 22;     // bound on queued RPCs (programmer error past it)
};

struct SimulationOptions {
  std::uint64_t seed = 0;
  EventLogOptions log;
  NetworkOptions network;
  std::uint32_t max_deferred_events = 1u << 22;   // per paused process (programmer error past it)
};

// Decides the fate of one RPC (protocol-level faults: lost or delayed trigger/ack/notify).
struct RpcFate {
  bool drop = false;
  DurationNs extra_delay_ns = 0;
};
using RpcFaultHook = std::function<RpcFate(ProcessId from, ProcessId to, const RpcMessage& message)>;

class Simulation {
 public:
  explicit Simulation(SimulationOptions options);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // --- time and running ---
  TimeNs now_ns() const { return now_ns_; }
  std::uint64_t seed() const { return options_.seed; }
  // Processes one event. Returns false when the queue is empty or a stop was requested.
  bool step();
  // Runs every event due at or before `limit_ns`, then advances time to `limit_ns`
  // (unless stopped early). Returns the number of events processed.
  std::uint64_t run_until(TimeNs limit_ns);
  // Runs until no event is left, a stop is requested, or `max_events` ran.
  std::uint64_t run_until_idle(std::uint64_t max_events = UINT64_MAX);
  void request_stop() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }
  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending_events() const { return queue_.size(); }

  // --- processes ---
  ProcessId add_process(std::string name);
  std::size_t process_count() const { return processes_.size(); }
  const ProcessInfo& process(ProcessId id) const { return processes_.at(id); }
  bool is_alive(ProcessId id) const { return processes_.at(id).alive; }
  std::uint32_t incarnation(ProcessId id) const { return processes_.at(id).incarnation; }
  void set_rpc_handler(ProcessId id, RpcHandler handler);
  void set_on_crash(ProcessId id, std::function<void()> teardown);
  void set_boot(ProcessId id, std::function<void()> boot);
  // Crashes a live process now. Its on_crash teardown runs after its stamps went stale.
  void crash(ProcessId id);
  // Restarts a crashed process empty and runs its boot function.
  void restart(ProcessId id);
  // The process's view of the world (Clock, Timers, RpcTransport, Randomness).
  ProcessEnv& env(ProcessId id);
  // Pauses a live process until `until_ns` (> now); extends a shorter pause, leaves a
  // longer one alone. See the pause contract above.
  void pause(ProcessId id, TimeNs until_ns);
  bool is_paused(ProcessId id) const { return processes_.at(id).paused; }
  std::size_t deferred_events(ProcessId id) const { return processes_.at(id).deferred.size(); }

  // --- timers ---
  TimerId schedule_after(ProcessId owner, DurationNs delay_ns, std::function<void()> callback);
  TimerId schedule_global_after(DurationNs delay_ns, std::function<void()> callback) {
    return schedule_after(kNoProcess, delay_ns, std::move(callback));
  }
  // A timer that survives `handler`'s crash (like a global one) but runs code on its
  // behalf, so it waits while `handler` is paused: completions of a process's storage
  // operations, which must run even after a crash to account for lost work.
  TimerId schedule_on_behalf_after(ProcessId handler, DurationNs delay_ns, std::function<void()> callback);
  bool cancel_timer(TimerId id) { return timers_.cancel(id); }
  std::size_t live_timers() const { return timers_.live_count(); }

  // --- RPC ---
  Status send_rpc(ProcessId from, ProcessId to, RpcMessage message);
  void set_rpc_fault_hook(RpcFaultHook hook) { rpc_fault_hook_ = std::move(hook); }

  // --- data channels and links ---
  ChannelNetwork& channels() { return *channels_; }
  const LinkTable& links() const { return links_; }
  void set_link_extra_latency(ProcessId from, ProcessId to, DurationNs extra_ns, DurationNs jitter_ns);
  // Caps the rate of from -> to (0: no cap). Data buffers then occupy the link for
  // bytes / rate (the lower of the channel's own rate and the cap); an RPC is delayed by
  // its body's bytes / cap on top of its latency.
  void set_link_bandwidth(ProcessId from, ProcessId to, std::uint64_t bytes_per_second);
  void clog_link(ProcessId from, ProcessId to, TimeNs until_ns);
  void clog_process(ProcessId process, TimeNs until_ns);
  void set_partitioned(ProcessId from, ProcessId to, bool partitioned);
  // Cuts every data channel between a and b (both directions); both ends fail.
  void cut_connections(ProcessId a, ProcessId b);
  // Base delay + link conditions + jitter for a message sent now on from -> to.
  DurationNs message_delay_ns(ProcessId from, ProcessId to, DurationNs base_latency_ns);

  // --- log, randomness, logging ---
  EventLog& log() { return log_; }
  const EventLog& log() const { return log_; }
  std::uint64_t fingerprint() const { return log_.fingerprint(); }
  void record(RecordKind kind, std::uint32_t process, std::uint64_t a, std::uint64_t b) {
    log_.append(now_ns_, kind, process, a, b);
  }
  Rng derive_rng(std::string_view purpose, std::uint64_t index = 0) const;
  SimLogger& logger() { return logger_; }

  // Kernel internals used by ChannelNetwork.
  EventQueue& queue() { return queue_; }
  ProcessTable& processes() { return processes_; }

 private:
  struct RpcInFlight {
    ProcessId from = kNoProcess;
    ProcessId to = kNoProcess;
    std::uint32_t from_incarnation = 0;
    std::uint32_t to_incarnation = 0;
    RpcMessage message;
  };

  void dispatch(const Event& event);
  // The paused process that must handle `event`, or kNoProcess when it can run now.
  ProcessId paused_handler_of(const Event& event) const;
  void defer(ProcessId handler, const Event& event);
  void resume_if_due(ProcessId id, std::uint32_t incarnation);
  void requeue_deferred(ProcessInfo& process);
  TimerId schedule_timer(ProcessId owner, ProcessId handler, DurationNs delay_ns, std::function<void()> callback);
  void fire_timer(std::uint32_t slot);
  void deliver_rpc(std::uint32_t slot);
  std::uint32_t allocate_rpc_slot();

  SimulationOptions options_;
  TimeNs now_ns_ = 0;
  bool stop_requested_ = false;
  std::uint64_t events_processed_ = 0;
  std::uint32_t paused_processes_ = 0;   // > 0: dispatch checks whether an event must wait
  EventQueue queue_;
  EventLog log_;
  ProcessTable processes_;
  TimerTable timers_;
  LinkTable links_;
  std::vector<RpcInFlight> rpcs_;
  std::vector<std::uint32_t> free_rpc_slots_;
  std::size_t rpcs_in_flight_ = 0;
  RpcFaultHook rpc_fault_hook_;
  Rng network_rng_;
  std::unique_ptr<ChannelNetwork> channels_;
  std::vector<std::unique_ptr<ProcessEnv>> envs_;
  SimLogger logger_;
};

}  // namespace ckptsim::sim
