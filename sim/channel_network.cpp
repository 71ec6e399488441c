#include "sim/channel_network.h"

#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/base/int128.h"
#include "sim/simulation.h"

namespace ckptsim::sim {

std::uint64_t effective_bandwidth(std::uint64_t configured_bytes_per_second, std::uint64_t cap_bytes_per_second) {
  if (configured_bytes_per_second == 0) return cap_bytes_per_second;
  if (cap_bytes_per_second == 0) return configured_bytes_per_second;
  return std::min(configured_bytes_per_second, cap_bytes_per_second);
}

DurationNs transmission_ns(std::size_t bytes, std::uint64_t bytes_per_second) {
  if (bytes_per_second == 0) return 0;
  const Uint128 transmit_ns = (static_cast<Uint128>(bytes) * kSecond + bytes_per_second - 1) / bytes_per_second;
  CKPT_ASSERT(transmit_ns <= static_cast<Uint128>(kTimeNever), "transmission time overflows virtual time");
  return static_cast<DurationNs>(transmit_ns);
}

class ChannelNetwork::Writer final : public ChannelWriter {
 public:
  Writer(ChannelNetwork& network, ChannelId id) : network_(network), id_(id) {}
  Status try_send(NetworkBuffer buffer) override { return network_.send(id_, std::move(buffer), false); }
  Status send_priority(NetworkBuffer buffer) override { return network_.send(id_, std::move(buffer), true); }
  bool has_credit() const override;

 private:
  ChannelNetwork& network_;
  ChannelId id_;
};

class ChannelNetwork::Reader final : public ChannelReader {
 public:
  Reader(ChannelNetwork& network, ChannelId id) : network_(network), id_(id) {}
  bool has_buffer() const override;
  NetworkBuffer take() override { return network_.take(id_); }

 private:
  ChannelNetwork& network_;
  ChannelId id_;
};

struct ChannelNetwork::Channel {
  ChannelConfig config;
  ProcessId sender = kNoProcess;
  ProcessId receiver = kNoProcess;
  std::uint32_t sender_incarnation = 0;
  std::uint32_t receiver_incarnation = 0;
  bool open = true;
  std::uint32_t credits_available = 0;
  std::uint32_t credits_returning = 0;
  std::uint32_t credits_held = 0;           // credit returns held by a partition
  TimeNs link_free_at_ns = 0;               // end of the last transmission on the link
  TimeNs last_data_arrival_ns = 0;
  TimeNs last_priority_arrival_ns = 0;
  std::deque<NetworkBuffer> in_flight_data;
  std::deque<NetworkBuffer> in_flight_priority;
  std::deque<NetworkBuffer> held;           // arrived while partitioned
  std::deque<NetworkBuffer> queued_priority;
  std::deque<NetworkBuffer> queued_data;
  std::function<void()> on_readable;
  std::function<void()> on_writable;
  std::function<void(Status)> on_failed_sender;
  std::function<void(Status)> on_failed_receiver;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<Reader> reader;
};

bool ChannelNetwork::Writer::has_credit() const {
  const Channel& c = network_.at(id_);
  return c.open && c.credits_available > 0;
}

bool ChannelNetwork::Reader::has_buffer() const {
  const Channel& c = network_.at(id_);
  return c.open && (!c.queued_priority.empty() || !c.queued_data.empty());
}

ChannelNetwork::ChannelNetwork(Simulation& simulation) : simulation_(simulation) {}
ChannelNetwork::~ChannelNetwork() = default;

ChannelNetwork::Channel& ChannelNetwork::at(ChannelId id) {
  CKPT_ASSERT(id < channels_.size(), "unknown channel id");
  return *channels_[id];
}
const ChannelNetwork::Channel& ChannelNetwork::at(ChannelId id) const {
  CKPT_ASSERT(id < channels_.size(), "unknown channel id");
  return *channels_[id];
}

ChannelId ChannelNetwork::open(ProcessId sender, ProcessId receiver, ChannelConfig config) {
  CKPT_ASSERT(config.credits > 0, "a channel needs at least one credit");
  CKPT_ASSERT(config.latency_ns >= 0, "latency is non-negative");
  CKPT_ASSERT(simulation_.is_alive(sender), "channel sender must be alive");
  CKPT_ASSERT(simulation_.is_alive(receiver), "channel receiver must be alive");
  const auto id = static_cast<ChannelId>(channels_.size());
  auto channel = std::make_unique<Channel>();
  channel->config = config;
  channel->sender = sender;
  channel->receiver = receiver;
  channel->sender_incarnation = simulation_.incarnation(sender);
  channel->receiver_incarnation = simulation_.incarnation(receiver);
  channel->credits_available = config.credits;
  channel->writer = std::make_unique<Writer>(*this, id);
  channel->reader = std::make_unique<Reader>(*this, id);
  channels_.push_back(std::move(channel));
  return id;
}

ChannelWriter& ChannelNetwork::writer(ChannelId id) { return *at(id).writer; }
ChannelReader& ChannelNetwork::reader(ChannelId id) { return *at(id).reader; }
void ChannelNetwork::set_on_readable(ChannelId id, std::function<void()> l) { at(id).on_readable = std::move(l); }
void ChannelNetwork::set_on_writable(ChannelId id, std::function<void()> l) { at(id).on_writable = std::move(l); }
void ChannelNetwork::set_on_failed(ChannelId id, bool sender_side, std::function<void(Status)> l) {
  (sender_side ? at(id).on_failed_sender : at(id).on_failed_receiver) = std::move(l);
}
bool ChannelNetwork::is_open(ChannelId id) const { return at(id).open; }
ProcessId ChannelNetwork::sender_of(ChannelId id) const { return at(id).sender; }
ProcessId ChannelNetwork::receiver_of(ChannelId id) const { return at(id).receiver; }

std::uint32_t ChannelNetwork::data_buffers_held(ChannelId id) const {
  const Channel& c = at(id);
  return static_cast<std::uint32_t>(c.in_flight_data.size() + c.held.size() + c.queued_data.size());
}

bool ChannelNetwork::check_invariants(ChannelId id) const {
  const Channel& c = at(id);
  if (!c.open) return true;
  const std::uint64_t accounted = std::uint64_t{c.credits_available} + c.in_flight_data.size() + c.held.size() +
                                  c.queued_data.size() + c.credits_returning + c.credits_held;
  return accounted == c.config.credits;
}

Status ChannelNetwork::send(ChannelId id, NetworkBuffer buffer, bool priority) {
  Channel& c = at(id);
  if (!c.open) return Status::unavailable("channel " + std::to_string(id) + " has failed");
  CKPT_ASSERT(simulation_.processes().is_current(c.sender, c.sender_incarnation),
              "only the live sender incarnation writes to a channel");
  const TimeNs now_ns = simulation_.now_ns();
  if (priority) {
    TimeNs arrival_ns = now_ns + simulation_.message_delay_ns(c.sender, c.receiver, c.config.latency_ns);
    arrival_ns = std::max(arrival_ns, c.last_priority_arrival_ns);
    c.last_priority_arrival_ns = arrival_ns;
    c.in_flight_priority.push_back(std::move(buffer));
    simulation_.queue().push(arrival_ns, EventKind::kDataDelivery, id, 1);
    return Status::ok();
  }
  if (c.credits_available == 0) return Status::backpressured("channel " + std::to_string(id) + " has no credit");
  --c.credits_available;
  const std::uint64_t bandwidth = effective_bandwidth(c.config.bandwidth_bytes_per_second,
                                                      simulation_.links().bandwidth_cap(c.sender, c.receiver));
  const DurationNs transmit_ns = transmission_ns(buffer.bytes.size(), bandwidth);
  c.link_free_at_ns = std::max(c.link_free_at_ns, now_ns) + transmit_ns;
  TimeNs arrival_ns = c.link_free_at_ns + simulation_.message_delay_ns(c.sender, c.receiver, c.config.latency_ns);
  arrival_ns = std::max(arrival_ns, c.last_data_arrival_ns);  // TCP: in order
  c.last_data_arrival_ns = arrival_ns;
  c.in_flight_data.push_back(std::move(buffer));
  simulation_.queue().push(arrival_ns, EventKind::kDataDelivery, id, 0);
  return Status::ok();
}

void ChannelNetwork::deliver(ChannelId id, bool priority) {
  Channel& c = at(id);
  std::deque<NetworkBuffer>& in_flight = priority ? c.in_flight_priority : c.in_flight_data;
  if (!c.open || in_flight.empty()) {
    simulation_.record(record_kind::kDataDropped, c.receiver, id, priority ? 1 : 0);
    return;
  }
  NetworkBuffer buffer = std::move(in_flight.front());
  in_flight.pop_front();
  if (simulation_.links().partitioned(c.sender, c.receiver) || !c.held.empty()) {
    // Data is held like a TCP segment being retransmitted; a priority event still goes
    // ahead (it overtakes the held data, as it would overtake queued data).
    if (priority) {
      c.queued_priority.push_back(std::move(buffer));
    } else {
      c.held.push_back(std::move(buffer));
      return;
    }
  } else if (priority) {
    c.queued_priority.push_back(std::move(buffer));
  } else {
    c.queued_data.push_back(std::move(buffer));
  }
  simulation_.record(record_kind::kDataDelivered, c.receiver, id, priority ? 1 : 0);
  if (c.on_readable) c.on_readable();
}

NetworkBuffer ChannelNetwork::take(ChannelId id) {
  Channel& c = at(id);
  CKPT_ASSERT(c.open, "take() from a failed channel");
  CKPT_ASSERT(!c.queued_priority.empty() || !c.queued_data.empty(), "take() needs a queued buffer");
  if (!c.queued_priority.empty()) {
    NetworkBuffer buffer = std::move(c.queued_priority.front());
    c.queued_priority.pop_front();
    return buffer;
  }
  NetworkBuffer buffer = std::move(c.queued_data.front());
  c.queued_data.pop_front();
  ++c.credits_returning;
  const TimeNs arrival_ns =
      simulation_.now_ns() + simulation_.message_delay_ns(c.receiver, c.sender, c.config.latency_ns);
  simulation_.queue().push(arrival_ns, EventKind::kCreditReturn, id, 0);
  return buffer;
}

void ChannelNetwork::return_credit(ChannelId id) {
  Channel& c = at(id);
  if (!c.open) return;
  CKPT_ASSERT(c.credits_returning > 0, "credit returned that was never taken");
  --c.credits_returning;
  if (simulation_.links().partitioned(c.receiver, c.sender)) {
    ++c.credits_held;
    return;
  }
  ++c.credits_available;
  simulation_.record(record_kind::kCreditReturned, c.sender, id, c.credits_available);
  if (c.on_writable) c.on_writable();
}

void ChannelNetwork::flush_held(ChannelId id) {
  Channel& c = at(id);
  if (!c.open) return;
  bool delivered = false;
  if (!simulation_.links().partitioned(c.sender, c.receiver)) {
    while (!c.held.empty()) {
      c.queued_data.push_back(std::move(c.held.front()));
      c.held.pop_front();
      delivered = true;
    }
  }
  std::uint32_t credits = 0;
  if (!simulation_.links().partitioned(c.receiver, c.sender)) {
    credits = c.credits_held;
    c.credits_available += credits;
    c.credits_held = 0;
  }
  simulation_.record(record_kind::kDataDelivered, c.receiver, id, delivered ? 2 : 3);
  if (delivered && c.on_readable) c.on_readable();
  if (credits > 0 && c.on_writable) c.on_writable();
}

void ChannelNetwork::release_held(ProcessId from, ProcessId to) {
  for (ChannelId id = 0; id < channels_.size(); ++id) {
    const Channel& c = *channels_[id];
    if (!c.open) continue;
    const bool forward = c.sender == from && c.receiver == to && !c.held.empty();
    const bool backward = c.sender == to && c.receiver == from && c.credits_held > 0;
    if (forward || backward) simulation_.queue().push(simulation_.now_ns(), EventKind::kHeldRelease, id, 0);
  }
}

void ChannelNetwork::fail(ChannelId id, Status reason) {
  Channel& c = at(id);
  if (!c.open) return;
  c.open = false;
  c.in_flight_data.clear();
  c.in_flight_priority.clear();
  c.held.clear();
  c.queued_data.clear();
  c.queued_priority.clear();
  c.on_readable = nullptr;
  c.on_writable = nullptr;
  simulation_.record(record_kind::kChannelFailed, c.sender, id, c.receiver);
  // Each surviving end learns of the failure one latency later (connection reset).
  for (const bool sender_side : {true, false}) {
    const ProcessId endpoint = sender_side ? c.sender : c.receiver;
    const std::uint32_t incarnation = sender_side ? c.sender_incarnation : c.receiver_incarnation;
    if (!simulation_.processes().is_current(endpoint, incarnation)) continue;
    simulation_.queue().push(simulation_.now_ns() + c.config.latency_ns, EventKind::kChannelFailed, id,
                             sender_side ? 1 : 0);
  }
  (void)reason;
}

void ChannelNetwork::notify_failed(ChannelId id, bool sender_side) {
  Channel& c = at(id);
  const ProcessId endpoint = sender_side ? c.sender : c.receiver;
  const std::uint32_t incarnation = sender_side ? c.sender_incarnation : c.receiver_incarnation;
  if (!simulation_.processes().is_current(endpoint, incarnation)) return;
  std::function<void(Status)>& slot = sender_side ? c.on_failed_sender : c.on_failed_receiver;
  std::function<void(Status)> listener = std::move(slot);
  slot = nullptr;
  if (listener) listener(Status::unavailable("data channel " + std::to_string(id) + " failed"));
}

void ChannelNetwork::close(ChannelId id) {
  if (at(id).open) fail(id, Status::unavailable("channel closed"));
}

void ChannelNetwork::on_process_crashed(ProcessId process) {
  for (ChannelId id = 0; id < channels_.size(); ++id) {
    const Channel& c = *channels_[id];
    if (c.open && (c.sender == process || c.receiver == process)) {
      fail(id, Status::unavailable("process crashed"));
    }
  }
}

void ChannelNetwork::cut(ProcessId a, ProcessId b) {
  for (ChannelId id = 0; id < channels_.size(); ++id) {
    const Channel& c = *channels_[id];
    if (c.open && ((c.sender == a && c.receiver == b) || (c.sender == b && c.receiver == a))) {
      fail(id, Status::unavailable("connection cut"));
    }
  }
}

}  // namespace ckptsim::sim
