#include "protocol/runtime/output_gate.h"

#include "protocol/base/assert.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim {

OutputGate::OutputGate(DataPlane& data_plane, std::vector<OutputPartitionSpec> partitions,
                       std::uint32_t buffer_size_bytes, std::uint32_t round_robin_start)
    : data_plane_(data_plane), buffer_size_bytes_(buffer_size_bytes) {
  CKPT_ASSERT(buffer_size_bytes >= kRecordBytes, "a buffer holds at least one record");
  for (OutputPartitionSpec& spec : partitions) {
    CKPT_ASSERT(!spec.channels.empty(), "an output partition has at least one channel");
    Partition partition;
    partition.round_robin_next = round_robin_start % static_cast<std::uint32_t>(spec.channels.size());
    for (ChannelId id : spec.channels) {
      ChannelOutput out;
      out.id = id;
      out.filling.reserve(buffer_size_bytes);
      partition.outputs.push_back(std::move(out));
    }
    partition.spec = std::move(spec);
    partitions_.push_back(std::move(partition));
  }
}

void OutputGate::emit(const Record& record) {
  ++records_emitted_;
  for (Partition& p : partitions_) {
    switch (p.spec.partitioning) {
      case Partitioning::kForward:
        append(p.outputs[0], record);
        break;
      case Partitioning::kHashByKey: {
        const std::uint32_t target =
            operator_index_for_key(record.key, p.spec.consumer_max_parallelism, p.spec.consumer_parallelism);
        append(p.outputs[target], record);
        break;
      }
      case Partitioning::kRebalance: {
        append(p.outputs[p.round_robin_next], record);
        p.round_robin_next = (p.round_robin_next + 1) % static_cast<std::uint32_t>(p.outputs.size());
        break;
      }
      case Partitioning::kBroadcast:
        for (ChannelOutput& out : p.outputs) append(out, record);
        break;
    }
  }
}

void OutputGate::append(ChannelOutput& out, const Record& record) {
  record_codec::append(out.filling, record);
  if (out.filling.size() + kRecordBytes > buffer_size_bytes_) {
    seal(out);
    drain(out);
  }
}

void OutputGate::seal(ChannelOutput& out) {
  if (out.filling.empty()) return;
  NetworkBuffer buffer{to_kind(ChannelEvent::kRecords), 0, std::move(out.filling)};
  out.filling = {};
  out.filling.reserve(buffer_size_bytes_);
  out.queue.push_back(std::move(buffer));
  if (++out.queued_data == 1) ++full_queues_;
}

void OutputGate::drain(ChannelOutput& out) {
  ChannelWriter& writer = data_plane_.writer(out.id);
  while (!out.queue.empty()) {
    // Check credit first: a refused send would have consumed the moved buffer.
    if (!writer.has_credit()) return;  // retried from on_writable
    const bool is_data = out.queue.front().kind == to_kind(ChannelEvent::kRecords);
    const Status sent = writer.try_send(std::move(out.queue.front()));
    if (!sent.is_ok()) {
      failed_ = true;
      return;
    }
    out.queue.pop_front();
    if (is_data && --out.queued_data == 0) --full_queues_;
  }
}

void OutputGate::broadcast_event(ChannelEvent event, std::uint64_t tag) {
  for (Partition& p : partitions_) {
    for (ChannelOutput& out : p.outputs) {
      seal(out);
      CKPT_ASSERT(out.queue.size() < kMaxQueuedEvents + 2, "output queue bound exceeded");
      out.queue.push_back(NetworkBuffer{to_kind(event), tag, {}});
      drain(out);
    }
  }
}

void OutputGate::flush_all() {
  for (Partition& p : partitions_) {
    for (ChannelOutput& out : p.outputs) {
      seal(out);
      drain(out);
    }
  }
}

OutputGate::ChannelOutput* OutputGate::find(ChannelId id) {
  for (Partition& p : partitions_) {
    for (ChannelOutput& out : p.outputs) {
      if (out.id == id) return &out;
    }
  }
  return nullptr;
}

void OutputGate::on_writable(ChannelId channel) {
  ChannelOutput* out = find(channel);
  if (out != nullptr) drain(*out);
}

bool OutputGate::has_unflushed_records() const {
  for (const Partition& p : partitions_) {
    for (const ChannelOutput& out : p.outputs) {
      if (!out.filling.empty() || !out.queue.empty()) return true;
    }
  }
  return false;
}

std::uint64_t OutputGate::buffered_bytes() const {
  std::uint64_t bytes = 0;
  for (const Partition& p : partitions_) {
    for (const ChannelOutput& out : p.outputs) {
      bytes += out.filling.size();
      for (const NetworkBuffer& b : out.queue) bytes += b.bytes.size();
    }
  }
  return bytes;
}

std::vector<ChannelId> OutputGate::all_channels() const {
  std::vector<ChannelId> ids;
  for (const Partition& p : partitions_) {
    for (const ChannelOutput& out : p.outputs) ids.push_back(out.id);
  }
  return ids;
}

}  // namespace ckptsim
