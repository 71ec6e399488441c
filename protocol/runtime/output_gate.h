// A task's outputs: one partition per outgoing edge, one channel per consumer subtask
// (one for forward edges). Records are routed by the edge's partitioning, serialized
// into per-channel buffers of at most `buffer_size_bytes`, and sent when a buffer is
// full, when the buffer timeout flushes it, or before an event (a barrier must follow
// every record emitted before it).
//
// Flow control: a full buffer that finds no credit waits in its channel's queue; a
// task must not process more input while backpressured() (some queue holds a full
// data buffer), which is how backpressure propagates upstream. Queues are bounded:
// at most one waiting data buffer per channel plus events.
//
// Invariant: on every channel, buffers and events leave in the order they were
// produced (FIFO), whatever the credit situation.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "protocol/env/data_plane.h"
#include "protocol/graph/job_graph.h"
#include "protocol/runtime/network_events.h"
#include "protocol/runtime/record.h"

namespace ckptsim {

struct OutputPartitionSpec {
  Partitioning partitioning = Partitioning::kForward;
  std::uint32_t consumer_parallelism = 1;
  std::uint32_t consumer_max_parallelism = 128;
  std::vector<ChannelId> channels;   // physical channels, index = consumer subtask (one for forward)
};

class OutputGate {
 public:
  static constexpr std::size_t kMaxQueuedEvents = 64;

  OutputGate(DataPlane& data_plane, std::vector<OutputPartitionSpec> partitions, std::uint32_t buffer_size_bytes,
             std::uint32_t round_robin_start);

  // Routes one record to its channel(s) on every output partition.
  void emit(const Record& record);
  // Flushes partial buffers then queues `event` on every channel (barrier, cancel
  // marker, end of partition), and tries to send.
  void broadcast_event(ChannelEvent event, std::uint64_t tag);
  // Buffer timeout: moves every partial buffer to its queue and tries to send.
  void flush_all();
  // Tries to send what is queued on `channel` (called when credit returns).
  void on_writable(ChannelId channel);

  bool backpressured() const { return full_queues_ > 0; }
  bool has_outputs() const { return !partitions_.empty(); }
  bool has_unflushed_records() const;
  // Bytes queued or partially filled (the task's in-flight output), for metrics.
  std::uint64_t buffered_bytes() const;
  std::uint64_t records_emitted() const { return records_emitted_; }
  // Any channel send failed with kUnavailable (the connection is gone).
  bool failed() const { return failed_; }
  std::vector<ChannelId> all_channels() const;

 private:
  struct ChannelOutput {
    ChannelId id = 0;
    std::vector<std::uint8_t> filling;      // records being collected
    std::deque<NetworkBuffer> queue;        // complete buffers and events awaiting credit
    std::uint32_t queued_data = 0;
  };
  struct Partition {
    OutputPartitionSpec spec;
    std::vector<ChannelOutput> outputs;
    std::uint32_t round_robin_next = 0;
  };

  void append(ChannelOutput& out, const Record& record);
  void seal(ChannelOutput& out);
  void drain(ChannelOutput& out);
  ChannelOutput* find(ChannelId id);

  DataPlane& data_plane_;
  std::vector<Partition> partitions_;
  std::uint32_t buffer_size_bytes_;
  std::uint32_t full_queues_ = 0;
  std::uint64_t records_emitted_ = 0;
  bool failed_ = false;
};

}  // namespace ckptsim
