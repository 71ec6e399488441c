#include "faults/rpc_faults.h"

#include <array>
#include <string>
#include <vector>

#include "faults/fault_world.h"
#include "protocol/runtime/messages.h"

namespace ckptsim::faults {
namespace {

struct MessageName {
  std::string_view name;
  MessageType type;
};

constexpr MessageName kMessageNames[] = {
    {"deploy", MessageType::kDeployTask},
    {"cancel", MessageType::kCancelTasks},
    {"trigger", MessageType::kTriggerCheckpoint},
    {"notify-complete", MessageType::kNotifyCheckpointComplete},
    {"notify-aborted", MessageType::kNotifyCheckpointAborted},
    {"heartbeat-request", MessageType::kHeartbeatRequest},
    {"end-of-input", MessageType::kEndOfInput},
    {"heartbeat-response", MessageType::kHeartbeatResponse},
    {"task-running", MessageType::kTaskRunning},
    {"task-failed", MessageType::kTaskFailed},
    {"task-finished", MessageType::kTaskFinished},
    {"ack", MessageType::kAcknowledgeCheckpoint},
    {"decline", MessageType::kDeclineCheckpoint},
    {"source-exhausted", MessageType::kSourceExhausted},
    {"store-prepare", MessageType::kStorePrepare},
    {"store-prepare-ack", MessageType::kStorePrepareAck},
    {"store-commit", MessageType::kStoreCommit},
    {"store-commit-ack", MessageType::kStoreCommitAck},
    {"store-abort-lingering", MessageType::kStoreAbortLingering},
    {"store-abort-lingering-ack", MessageType::kStoreAbortLingeringAck},
    {"store-write", MessageType::kStoreWrite},
    {"store-write-ack", MessageType::kStoreWriteAck},
};

std::uint64_t bit(MessageType type) {
  const auto value = static_cast<std::uint32_t>(type);
  CKPT_ASSERT(value < 64, "message types named by faults fit a 64-bit mask");
  return std::uint64_t{1} << value;
}

// The mask of one word: a message name or a group; 0 for an unknown word.
std::uint64_t mask_of_word(std::string_view word) {
  for (const MessageName& entry : kMessageNames) {
    if (entry.name == word) return bit(entry.type);
  }
  if (word == "checkpoint") {
    return bit(MessageType::kTriggerCheckpoint) | bit(MessageType::kAcknowledgeCheckpoint) |
           bit(MessageType::kDeclineCheckpoint) | bit(MessageType::kNotifyCheckpointComplete) |
           bit(MessageType::kNotifyCheckpointAborted);
  }
  if (word == "heartbeat") return bit(MessageType::kHeartbeatRequest) | bit(MessageType::kHeartbeatResponse);
  if (word == "store") {
    std::uint64_t mask = 0;
    for (const MessageName& entry : kMessageNames) {
      if (entry.name.starts_with("store-")) mask |= bit(entry.type);
    }
    return mask;
  }
  return 0;
}

std::string known_words() {
  std::string words = "all, checkpoint, heartbeat, store";
  for (const MessageName& entry : kMessageNames) words += ", " + std::string(entry.name);
  return words;
}

// rpc-loss, rpc-delay, sink-commit-failure, sink-commit-timeout: one RpcRule active
// from start to heal.
class RpcFault final : public Fault {
 public:
  RpcFault(ScheduledFault spec, RpcRule rule) : Fault(std::move(spec)), rule_(rule) {}

  Status set_up(FaultWorld& world) override {
    if (!spec().target.empty()) {
      Result<ProcessId> from = world.process_named(spec().target);
      if (!from.is_ok()) return from.status();
      rule_.from = from.value();
    }
    if (!spec().peer.empty()) {
      Result<ProcessId> to = world.process_named(spec().peer);
      if (!to.is_ok()) return to.status();
      rule_.to = to.value();
    }
    world.rpcs();  // installs the hook now, before the run, rather than mid-run
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    world.rpcs().add(id(), rule_);
    return true;
  }
  void heal(FaultWorld& world) override { world.rpcs().remove(id()); }
  std::string describe_target() const override {
    const std::string from = spec().target.empty() ? "*" : spec().target;
    const std::string to = spec().peer.empty() ? "*" : spec().peer;
    return from + " -> " + to;
  }

 private:
  RpcRule rule_;
};

constexpr DurationNs kMaxRpcDelayNs = 1 * kHour;
constexpr std::string_view kDirections[] = {"request", "reply", "both"};

// The filter of the sink's commit messages in one direction.
MessageFilter commit_filter(std::string_view direction) {
  MessageFilter filter;
  if (direction != "reply") filter.types_mask |= bit(MessageType::kStoreCommit);
  if (direction != "request") filter.types_mask |= bit(MessageType::kStoreCommitAck);
  return filter;
}

MessageFilter read_messages(ParamReader& reader) {
  const std::string text = reader.text("messages", "checkpoint");
  Result<MessageFilter> filter = parse_message_filter(text);
  if (!filter.is_ok()) {
    reader.fail("messages", filter.status().message());
    return MessageFilter{};
  }
  return filter.value();
}

}  // namespace

Result<MessageFilter> parse_message_filter(std::string_view text) {
  MessageFilter filter;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    const std::string_view word = text.substr(begin, comma - begin);
    if (word == "all") {
      filter.all = true;
    } else if (const std::uint64_t mask = mask_of_word(word); mask != 0) {
      filter.types_mask |= mask;
    } else {
      return Status::invalid_argument("expected comma-separated message names from " + known_words() + ", got \"" +
                                      std::string(word) + "\" in \"" + std::string(text) + "\"");
    }
    begin = comma + 1;
  }
  return filter;
}

void RpcFaultInjector::add(FaultId id, RpcRule rule) {
  CKPT_ASSERT(rule.drop_probability >= 0.0 && rule.drop_probability <= 1.0, "a drop probability is in [0, 1]");
  CKPT_ASSERT(rule.delay_ns >= 0 && rule.jitter_ns >= 0, "RPC delays are not negative");
  CKPT_ASSERT(rules_.emplace(id, rule).second, "a fault adds one RPC rule");
}

void RpcFaultInjector::remove(FaultId id) { CKPT_ASSERT(rules_.erase(id) == 1, "only a rule that was added is removed"); }

sim::RpcFate RpcFaultInjector::decide(ProcessId from, ProcessId to, const RpcMessage& message) {
  sim::RpcFate fate;
  for (const auto& [id, rule] : rules_) {
    if (!rule.messages.matches(message.type)) continue;
    if (rule.from != kNoProcess && rule.from != from) continue;
    if (rule.to != kNoProcess && rule.to != to) continue;
    if (rule.drop_probability > 0.0 && rng_.bernoulli(rule.drop_probability)) fate.drop = true;
    fate.extra_delay_ns += rule.delay_ns;
    if (rule.jitter_ns > 0) {
      fate.extra_delay_ns += static_cast<DurationNs>(rng_.uniform_below(static_cast<std::uint64_t>(rule.jitter_ns) + 1));
    }
  }
  if (fate.drop) {
    ++counters_.dropped;
  } else if (fate.extra_delay_ns > 0) {
    ++counters_.delayed;
  }
  return fate;
}

std::unique_ptr<Fault> make_rpc_loss_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_distinct_peer(spec, reader);
  RpcRule rule;
  rule.messages = read_messages(reader);
  rule.drop_probability = reader.probability("probability", 1.0);
  return std::make_unique<RpcFault>(spec, rule);
}

std::unique_ptr<Fault> make_rpc_delay_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_distinct_peer(spec, reader);
  RpcRule rule;
  rule.messages = read_messages(reader);
  rule.delay_ns = reader.duration("delay", std::nullopt, 0, kMaxRpcDelayNs);
  rule.jitter_ns = reader.duration("jitter", 0, 0, kMaxRpcDelayNs);
  return std::make_unique<RpcFault>(spec, rule);
}

std::unique_ptr<Fault> make_sink_commit_failure_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  RpcRule rule;
  rule.messages = commit_filter(reader.choice("direction", "both", kDirections));
  rule.drop_probability = reader.probability("probability", 1.0);
  return std::make_unique<RpcFault>(spec, rule);
}

std::unique_ptr<Fault> make_sink_commit_timeout_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_unused_field(reader, "target", spec.target);
  check_unused_field(reader, "peer", spec.peer);
  RpcRule rule;
  rule.messages = commit_filter(reader.choice("direction", "both", kDirections));
  rule.delay_ns = reader.duration("delay", std::nullopt, 1, kMaxRpcDelayNs);
  return std::make_unique<RpcFault>(spec, rule);
}

}  // namespace ckptsim::faults
