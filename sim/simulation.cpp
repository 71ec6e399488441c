#include "sim/simulation.h"

#include "sim/process_env.h"

namespace ckptsim::sim {

Simulation::Simulation(SimulationOptions options)
    : options_(options),
      log_(options.log),
      network_rng_(Rng(options.seed).derive("network")),
      channels_(std::make_unique<ChannelNetwork>(*this)) {}

Simulation::~Simulation() = default;

Rng Simulation::derive_rng(std::string_view purpose, std::uint64_t index) const {
  return Rng(options_.seed).derive(purpose, index);
}

bool Simulation::step() {
  if (stop_requested_ || queue_.empty()) return false;
  const Event event = queue_.pop();
  CKPT_ASSERT(event.time_ns >= now_ns_, "time never goes backwards");
  now_ns_ = event.time_ns;
  ++events_processed_;
  dispatch(event);
  return true;
}

std::uint64_t Simulation::run_until(TimeNs limit_ns) {
  CKPT_ASSERT(limit_ns >= now_ns_, "run_until into the past");
  const std::uint64_t before = events_processed_;
  while (!stop_requested_ && !queue_.empty() && queue_.top().time_ns <= limit_ns) step();
  if (!stop_requested_) now_ns_ = limit_ns;
  return events_processed_ - before;
}

std::uint64_t Simulation::run_until_idle(std::uint64_t max_events) {
  const std::uint64_t before = events_processed_;
  while (events_processed_ - before < max_events && step()) {
  }
  return events_processed_ - before;
}

void Simulation::dispatch(const Event& event) {
  if (paused_processes_ > 0) [[unlikely]] {
    const ProcessId handler = paused_handler_of(event);
    if (handler != kNoProcess) {
      defer(handler, event);
      return;
    }
  }
  switch (event.kind) {
    case EventKind::kTimer: fire_timer(event.slot); return;
    case EventKind::kRpcDelivery: deliver_rpc(event.slot); return;
    case EventKind::kDataDelivery: channels_->deliver(event.slot, event.aux == 1); return;
    case EventKind::kCreditReturn: channels_->return_credit(event.slot); return;
    case EventKind::kChannelFailed: channels_->notify_failed(event.slot, event.aux == 1); return;
    case EventKind::kHeldRelease: channels_->flush_held(event.slot); return;
  }
  CKPT_UNREACHABLE("unknown event kind");
}

// --- pauses ---

ProcessId Simulation::paused_handler_of(const Event& event) const {
  const auto paused = [this](ProcessId p) { return p != kNoProcess && processes_.at(p).paused; };
  ProcessId handler = kNoProcess;
  switch (event.kind) {
    case EventKind::kTimer: {
      const TimerSlot& timer = timers_.at(event.slot);
      handler = timer.pending ? timer.handler : kNoProcess;  // a cancelled timer is just released
      break;
    }
    case EventKind::kRpcDelivery: handler = rpcs_[event.slot].to; break;
    case EventKind::kDataDelivery: handler = channels_->receiver_of(event.slot); break;
    case EventKind::kCreditReturn: handler = channels_->sender_of(event.slot); break;
    case EventKind::kChannelFailed:
      handler = event.aux == 1 ? channels_->sender_of(event.slot) : channels_->receiver_of(event.slot);
      break;
    case EventKind::kHeldRelease:
      // Releases data to the receiver and credits to the sender: both must be running.
      handler = channels_->receiver_of(event.slot);
      if (!paused(handler)) handler = channels_->sender_of(event.slot);
      break;
  }
  return paused(handler) ? handler : kNoProcess;
}

void Simulation::defer(ProcessId handler, const Event& event) {
  ProcessInfo& p = processes_.at(handler);
  CKPT_ASSERT(p.paused, "only a paused process defers events");
  CKPT_ASSERT(p.deferred.size() < options_.max_deferred_events, "deferred events of a paused process exceed the bound");
  p.deferred.push_back(event);
}

void Simulation::pause(ProcessId id, TimeNs until_ns) {
  ProcessInfo& p = processes_.at(id);
  CKPT_ASSERT(p.alive, "only a live process can pause");
  CKPT_ASSERT(until_ns > now_ns_, "a pause ends in the future");
  if (p.paused && p.paused_until_ns >= until_ns) return;  // already paused at least that long
  if (!p.paused) ++paused_processes_;
  p.paused = true;
  p.paused_until_ns = until_ns;
  log_.append(now_ns_, record_kind::kProcessPaused, id, static_cast<std::uint64_t>(until_ns), 0);
  CKPT_LOG(*this, info, p.name, "paused until {}", format_time(until_ns));
  // A pause extended later leaves this event behind; it then finds the pause not due.
  const std::uint32_t incarnation = p.incarnation;
  schedule_global_after(until_ns - now_ns_, [this, id, incarnation] { resume_if_due(id, incarnation); });
}

void Simulation::resume_if_due(ProcessId id, std::uint32_t incarnation) {
  ProcessInfo& p = processes_.at(id);
  if (!p.paused || p.incarnation != incarnation || p.paused_until_ns > now_ns_) return;  // superseded
  p.paused = false;
  --paused_processes_;
  log_.append(now_ns_, record_kind::kProcessResumed, id, p.deferred.size(), 0);
  CKPT_LOG(*this, info, p.name, "resumed with {} deferred events", p.deferred.size());
  // Handled here, inline, so they come before every event of this instant that was
  // queued after the pause began: the process sees its events in the order they came
  // due. A handler may add processes (and move the table), so look p up every time.
  while (!processes_.at(id).deferred.empty() && !processes_.at(id).paused) {
    const Event event = processes_.at(id).deferred.front();
    processes_.at(id).deferred.pop_front();
    dispatch(event);
  }
}

void Simulation::requeue_deferred(ProcessInfo& process) {
  if (!process.paused) return;
  process.paused = false;
  --paused_processes_;
  for (const Event& event : process.deferred) queue_.push(now_ns_, event.kind, event.slot, event.aux);
  process.deferred.clear();
}

// --- processes ---

ProcessId Simulation::add_process(std::string name) {
  const ProcessId id = processes_.add(std::move(name));
  envs_.push_back(std::make_unique<ProcessEnv>(*this, id));
  return id;
}

void Simulation::set_rpc_handler(ProcessId id, RpcHandler handler) { processes_.at(id).rpc_handler = std::move(handler); }
void Simulation::set_on_crash(ProcessId id, std::function<void()> teardown) { processes_.at(id).on_crash = std::move(teardown); }
void Simulation::set_boot(ProcessId id, std::function<void()> boot) { processes_.at(id).boot = std::move(boot); }

ProcessEnv& Simulation::env(ProcessId id) {
  CKPT_ASSERT(id < envs_.size(), "unknown process id");
  return *envs_[id];
}

void Simulation::crash(ProcessId id) {
  ProcessInfo& p = processes_.at(id);
  CKPT_ASSERT(p.alive, "only a live process can crash");
  // A crash ends a pause; what waited goes back to the queue and is found stale there.
  requeue_deferred(p);
  p.alive = false;
  ++p.incarnation;  // every stamp of the previous life is now stale
  p.rpc_handler = nullptr;
  log_.append(now_ns_, record_kind::kProcessCrashed, id, p.incarnation, 0);
  CKPT_LOG(*this, info, p.name, "crashed (next incarnation {})", p.incarnation);
  channels_->on_process_crashed(id);
  std::function<void()> teardown = std::move(p.on_crash);
  p.on_crash = nullptr;
  if (teardown) teardown();
}

void Simulation::restart(ProcessId id) {
  ProcessInfo& p = processes_.at(id);
  CKPT_ASSERT(!p.alive, "only a crashed process can restart");
  p.alive = true;
  envs_[id]->reseed(p.incarnation);
  log_.append(now_ns_, record_kind::kProcessRestarted, id, p.incarnation, 0);
  CKPT_LOG(*this, info, p.name, "restarted as incarnation {}", p.incarnation);
  if (p.boot) {
    std::function<void()> boot = p.boot;  // boot stays installed for later restarts
    boot();
  }
}

// --- timers ---

TimerId Simulation::schedule_after(ProcessId owner, DurationNs delay_ns, std::function<void()> callback) {
  return schedule_timer(owner, owner, delay_ns, std::move(callback));
}

TimerId Simulation::schedule_on_behalf_after(ProcessId handler, DurationNs delay_ns, std::function<void()> callback) {
  CKPT_ASSERT(handler < processes_.size(), "a timer runs on behalf of a known process");
  return schedule_timer(kNoProcess, handler, delay_ns, std::move(callback));
}

TimerId Simulation::schedule_timer(ProcessId owner, ProcessId handler, DurationNs delay_ns,
                                   std::function<void()> callback) {
  CKPT_ASSERT(delay_ns >= 0, "timers are scheduled in the future");
  CKPT_ASSERT(callback != nullptr, "a timer needs a callback");
  CKPT_ASSERT(delay_ns <= kTimeNever - now_ns_, "timer delay overflows virtual time");
  std::uint32_t incarnation = 0;
  if (owner != kNoProcess) {
    const ProcessInfo& p = processes_.at(owner);
    CKPT_ASSERT(p.alive, "a crashed process cannot schedule timers");
    CKPT_ASSERT(!p.paused, "a paused process runs no code, so it cannot schedule timers");
    incarnation = p.incarnation;
  }
  const std::uint32_t slot = timers_.allocate(std::move(callback), owner, incarnation, handler);
  queue_.push(now_ns_ + delay_ns, EventKind::kTimer, slot);
  return timers_.id_of(slot);
}

void Simulation::fire_timer(std::uint32_t slot) {
  TimerSlot& timer = timers_.at(slot);
  if (!timer.pending) {  // cancelled
    timers_.release(slot);
    return;
  }
  const ProcessId owner = timer.owner;
  if (owner != kNoProcess && !processes_.is_current(owner, timer.owner_incarnation)) {
    log_.append(now_ns_, record_kind::kTimerDropped, owner, slot, 0);
    timers_.release(slot);
    return;
  }
  std::function<void()> callback = std::move(timer.callback);
  timers_.release(slot);
  log_.append(now_ns_, record_kind::kTimerFired, owner, slot, 0);
  callback();
}

// --- RPC ---

std::uint32_t Simulation::allocate_rpc_slot() {
  if (!free_rpc_slots_.empty()) {
    const std::uint32_t slot = free_rpc_slots_.back();
    free_rpc_slots_.pop_back();
    return slot;
  }
  rpcs_.emplace_back();
  return static_cast<std::uint32_t>(rpcs_.size() - 1);
}

Status Simulation::send_rpc(ProcessId from, ProcessId to, RpcMessage message) {
  const ProcessInfo& sender = processes_.at(from);
  CKPT_ASSERT(sender.alive, "a crashed process cannot send");
  CKPT_ASSERT(!sender.paused, "a paused process runs no code, so it cannot send");
  CKPT_ASSERT(rpcs_in_flight_ < options_.network.max_rpcs_in_flight, "RPC in-flight bound exceeded");
  const ProcessInfo& receiver = processes_.at(to);
  DurationNs delay_ns = message_delay_ns(from, to, options_.network.rpc_latency_ns);
  if (links_.any_conditions()) delay_ns += transmission_ns(message.body.size(), links_.bandwidth_cap(from, to));
  if (rpc_fault_hook_) {
    const RpcFate fate = rpc_fault_hook_(from, to, message);
    if (fate.drop) {
      log_.append(now_ns_, record_kind::kRpcDropped, to, from, message.type);
      return Status::ok();  // lost silently, like a datagram on a broken link
    }
    delay_ns += fate.extra_delay_ns;
  }
  if (links_.partitioned(from, to)) {
    log_.append(now_ns_, record_kind::kRpcDropped, to, from, message.type);
    return Status::ok();
  }
  const std::uint32_t slot = allocate_rpc_slot();
  RpcInFlight& rpc = rpcs_[slot];
  rpc.from = from;
  rpc.to = to;
  rpc.from_incarnation = sender.incarnation;
  rpc.to_incarnation = receiver.incarnation;
  rpc.message = std::move(message);
  ++rpcs_in_flight_;
  queue_.push(now_ns_ + delay_ns, EventKind::kRpcDelivery, slot);
  return Status::ok();
}

void Simulation::deliver_rpc(std::uint32_t slot) {
  RpcInFlight& rpc = rpcs_[slot];
  const ProcessId from = rpc.from;
  const ProcessId to = rpc.to;
  RpcMessage message = std::move(rpc.message);
  const bool sender_current = processes_.is_current(from, rpc.from_incarnation);
  const bool receiver_current = processes_.is_current(to, rpc.to_incarnation);
  free_rpc_slots_.push_back(slot);
  --rpcs_in_flight_;
  ProcessInfo& receiver = processes_.at(to);
  if (!sender_current || !receiver_current || !receiver.rpc_handler) {
    log_.append(now_ns_, record_kind::kRpcDropped, to, from, message.type);
    return;
  }
  log_.append(now_ns_, record_kind::kRpcDelivered, to, from, message.type);
  receiver.rpc_handler(from, std::move(message));
}

// --- links ---

DurationNs Simulation::message_delay_ns(ProcessId from, ProcessId to, DurationNs base_latency_ns) {
  if (!links_.any_conditions()) return base_latency_ns;
  DurationNs jitter_ns = 0;
  DurationNs delay_ns = base_latency_ns + links_.added_delay_ns(from, to, now_ns_, &jitter_ns);
  if (jitter_ns > 0) delay_ns += static_cast<DurationNs>(network_rng_.uniform_below(static_cast<std::uint64_t>(jitter_ns) + 1));
  return delay_ns;
}

void Simulation::set_link_extra_latency(ProcessId from, ProcessId to, DurationNs extra_ns, DurationNs jitter_ns) {
  CKPT_ASSERT(extra_ns >= 0 && jitter_ns >= 0, "added latency is non-negative");
  LinkConditions& link = links_.link(from, to);
  link.extra_latency_ns = extra_ns;
  link.jitter_ns = jitter_ns;
  log_.append(now_ns_, record_kind::kLinkChanged, from, to, static_cast<std::uint64_t>(extra_ns));
}

void Simulation::set_link_bandwidth(ProcessId from, ProcessId to, std::uint64_t bytes_per_second) {
  links_.link(from, to).bandwidth_bytes_per_second = bytes_per_second;
  log_.append(now_ns_, record_kind::kLinkChanged, from, to, bytes_per_second);
}

void Simulation::clog_link(ProcessId from, ProcessId to, TimeNs until_ns) {
  LinkConditions& link = links_.link(from, to);
  link.clogged_until_ns = std::max(link.clogged_until_ns, until_ns);
  log_.append(now_ns_, record_kind::kLinkChanged, from, to, static_cast<std::uint64_t>(until_ns));
}

void Simulation::clog_process(ProcessId process, TimeNs until_ns) {
  links_.clog_process(process, until_ns);
  log_.append(now_ns_, record_kind::kLinkChanged, process, kNoProcess, static_cast<std::uint64_t>(until_ns));
}

void Simulation::set_partitioned(ProcessId from, ProcessId to, bool partitioned) {
  LinkConditions& link = links_.link(from, to);
  const bool healed = link.partitioned && !partitioned;
  link.partitioned = partitioned;
  log_.append(now_ns_, record_kind::kLinkChanged, from, to, partitioned ? 1 : 0);
  if (healed) channels_->release_held(from, to);
}

void Simulation::cut_connections(ProcessId a, ProcessId b) {
  log_.append(now_ns_, record_kind::kLinkChanged, a, b, 2);
  channels_->cut(a, b);
}

}  // namespace ckptsim::sim
