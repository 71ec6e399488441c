// The protocol's view of the network.
//
// Two kinds of links, as in Flink:
//  * RPC (control plane): unordered-by-contract, may lose messages when a peer is down
//    or the link is partitioned. Used for deploy, trigger, ack, decline, notify,
//    heartbeats. Messages are opaque bytes; the protocol serializes its own messages.
//  * Data channels (data plane): reliable, FIFO, point-to-point, credit-based flow
//    control with a bounded number of in-flight buffers per channel. A full channel
//    refuses a send with kBackpressured and later signals writability. Priority events
//    (e.g. unaligned barriers) overtake buffers that are queued but not yet consumed.
//    A cut connection fails the channel on both ends (on_channel_failed).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "protocol/base/status.h"

namespace ckptsim {

// A process in the cluster (JobManager, TaskManager, external system). Dense ids.
using ProcessId = std::uint32_t;
inline constexpr ProcessId kNoProcess = UINT32_MAX;

struct RpcMessage {
  std::uint32_t type = 0;           // protocol-defined message type
  std::vector<std::uint8_t> body;   // protocol-defined serialized payload
};

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  // Fire-and-forget. ok() means accepted for sending, never that it was delivered.
  virtual Status send(ProcessId to, RpcMessage message) = 0;
};

// A unit of data on a channel: serialized records, or a single in-band event
// (barrier, cancel marker, end of partition).
struct NetworkBuffer {
  std::uint32_t kind = 0;                // protocol-defined: data buffer or event type
  std::uint64_t tag = 0;                 // protocol-defined (e.g. checkpoint id of a barrier)
  std::vector<std::uint8_t> bytes;       // serialized payload
};

using ChannelId = std::uint32_t;

// The sending end of one data channel.
class ChannelWriter {
 public:
  virtual ~ChannelWriter() = default;
  // Sends a buffer if a credit is available; otherwise returns kBackpressured and
  // nothing is sent. kUnavailable if the channel failed.
  virtual Status try_send(NetworkBuffer buffer) = 0;
  // Sends an event that overtakes queued buffers and needs no credit.
  virtual Status send_priority(NetworkBuffer buffer) = 0;
  virtual bool has_credit() const = 0;
};

// The receiving end of one data channel. Buffers are consumed explicitly; consuming
// a buffer returns its credit to the sender.
class ChannelReader {
 public:
  virtual ~ChannelReader() = default;
  virtual bool has_buffer() const = 0;
  // Removes and returns the next buffer. Precondition: has_buffer().
  virtual NetworkBuffer take() = 0;
};

}  // namespace ckptsim
