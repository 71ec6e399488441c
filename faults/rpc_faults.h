// Protocol-level faults on RPCs, through the kernel's RPC fault hook
// (Simulation::set_rpc_fault_hook): lost or delayed messages filtered by message type
// (protocol/runtime/messages.h) and optionally by sender and receiver, and the sink's
// commit failures and timeouts (lost or delayed kStoreCommit / kStoreCommitAck).
//
// Message names used by the `messages` parameter, and the groups that stand for several:
//   deploy cancel trigger notify-complete notify-aborted heartbeat-request end-of-input
//   heartbeat-response task-running task-failed task-finished ack decline
//   source-exhausted store-prepare store-prepare-ack store-commit store-commit-ack
//   store-abort-lingering store-abort-lingering-ack store-write store-write-ack
//   checkpoint = trigger, ack, decline, notify-complete, notify-aborted
//   heartbeat  = heartbeat-request, heartbeat-response
//   store      = every store-* message
//   all        = every message
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

#include "faults/fault.h"
#include "faults/fault_params.h"
#include "sim/random.h"
#include "sim/simulation.h"

namespace ckptsim::faults {

// A set of RPC message types.
struct MessageFilter {
  std::uint64_t types_mask = 0;   // bit t: message type t (< 64)
  bool all = false;               // every type, including types >= 64
  bool matches(std::uint32_t type) const { return all || (type < 64 && ((types_mask >> type) & 1) != 0); }
};

// "trigger,ack" -> the filter; kInvalidArgument naming the unknown word.
Result<MessageFilter> parse_message_filter(std::string_view text);

// What one active fault does to the RPCs it matches.
struct RpcRule {
  MessageFilter messages;
  ProcessId from = kNoProcess;     // kNoProcess: any sender
  ProcessId to = kNoProcess;       // kNoProcess: any receiver
  double drop_probability = 0.0;
  DurationNs delay_ns = 0;
  DurationNs jitter_ns = 0;        // plus a uniform extra delay in [0, jitter_ns]
};

struct RpcFaultCounters {
  std::uint64_t dropped = 0;
  std::uint64_t delayed = 0;
};

// The kernel's RPC fault hook, composed of the active rules: a message matched by any
// dropping rule that draws "drop" is lost; the delays of all matching rules add up.
// Rules are consulted in FaultId order and draw from one seeded stream, and only for
// messages they match, so the decisions are a function of the seed and the messages.
class RpcFaultInjector {
 public:
  explicit RpcFaultInjector(sim::Rng rng) : rng_(rng) {}

  void add(FaultId id, RpcRule rule);
  void remove(FaultId id);
  bool empty() const { return rules_.empty(); }
  sim::RpcFate decide(ProcessId from, ProcessId to, const RpcMessage& message);
  const RpcFaultCounters& counters() const { return counters_; }

 private:
  std::map<FaultId, RpcRule> rules_;
  sim::Rng rng_;
  RpcFaultCounters counters_;
};

std::unique_ptr<Fault> make_rpc_loss_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_rpc_delay_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_sink_commit_failure_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_sink_commit_timeout_fault(const ScheduledFault& spec, ParamReader& reader);

}  // namespace ckptsim::faults
