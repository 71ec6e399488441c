// Simulated data channels: reliable, FIFO, point-to-point, with credit-based flow
// control (Flink's network stack in miniature).
//
// Model of one channel (sender S, receiver R):
//  * S may send a buffer only while it holds a credit; each channel starts with
//    `credits` credits (Flink: exclusive buffers per channel). Without credit,
//    try_send() returns kBackpressured and the writer's on_writable fires later.
//  * A buffer occupies the link for bytes / bandwidth, then travels `latency_ns`
//    (+ link conditions). Arrivals are FIFO per channel. The bandwidth is the channel's
//    own, lowered by a fault's cap on the link (Simulation::set_link_bandwidth).
//  * Arrived buffers wait in R's input queue until R take()s them; taking a buffer
//    sends its credit back to S (one latency later).
//  * Priority events (send_priority) need no credit, skip the bandwidth queue and are
//    put ahead of R's queued data buffers (unaligned barriers overtake data).
//  * While the link S -> R is partitioned, arriving buffers are held (TCP keeps
//    retransmitting) and released in order when it heals.
//  * A channel fails when either endpoint crashes or the connection is cut; queued and
//    in-flight buffers are gone and the surviving ends get on_failed.
//
// Invariant (checked by check_invariants): for an open channel,
//   credits_available + in_flight + held + queued_data + credits_returning == credits,
// so a channel never holds more than `credits` data buffers: backpressure is real.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/env/transport.h"

namespace ckptsim::sim {

class Simulation;

// The rate a link sends at: the lower of the configured rate and a fault's cap, where 0
// means unlimited.
std::uint64_t effective_bandwidth(std::uint64_t configured_bytes_per_second, std::uint64_t cap_bytes_per_second);
// ceil(bytes * 1e9 / bytes_per_second): how long `bytes` occupy a link; 0 when unlimited.
DurationNs transmission_ns(std::size_t bytes, std::uint64_t bytes_per_second);

struct ChannelConfig {
  DurationNs latency_ns = 100 * kMicrosecond;
  std::uint64_t bandwidth_bytes_per_second = 0;  // 0: unlimited
  std::uint32_t credits = 2;                     // max data buffers in flight + queued
};

class ChannelNetwork {
 public:
  explicit ChannelNetwork(Simulation& simulation);
  ~ChannelNetwork();

  // Opens a channel between two live processes.
  ChannelId open(ProcessId sender, ProcessId receiver, ChannelConfig config);
  ChannelWriter& writer(ChannelId id);
  ChannelReader& reader(ChannelId id);

  // Listeners run on their endpoint's process; they are volatile (dropped at a crash).
  void set_on_readable(ChannelId id, std::function<void()> listener);
  void set_on_writable(ChannelId id, std::function<void()> listener);
  void set_on_failed(ChannelId id, bool sender_side, std::function<void(Status)> listener);

  bool is_open(ChannelId id) const;
  // Closes an open channel for good (its owner went away); the other end is told.
  void close(ChannelId id);
  std::size_t channel_count() const { return channels_.size(); }
  ProcessId sender_of(ChannelId id) const;
  ProcessId receiver_of(ChannelId id) const;
  std::uint32_t data_buffers_held(ChannelId id) const;  // in flight + held + queued
  bool check_invariants(ChannelId id) const;

  // Kernel hooks (called by Simulation).
  void on_process_crashed(ProcessId process);
  void cut(ProcessId a, ProcessId b);
  void release_held(ProcessId from, ProcessId to);
  void deliver(ChannelId id, bool priority);
  void return_credit(ChannelId id);
  void notify_failed(ChannelId id, bool sender_side);
  void flush_held(ChannelId id);

 private:
  struct Channel;
  class Writer;
  class Reader;
  Channel& at(ChannelId id);
  const Channel& at(ChannelId id) const;
  Status send(ChannelId id, NetworkBuffer buffer, bool priority);
  NetworkBuffer take(ChannelId id);
  void fail(ChannelId id, Status reason);

  Simulation& simulation_;
  std::vector<std::unique_ptr<Channel>> channels_;
};

}  // namespace ckptsim::sim
