#include "protocol/runtime/stream_task.h"

#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"
#include "protocol/state/memory_state_backend.h"
#include "protocol/state/rocksdb_state_backend.h"

namespace ckptsim {

StreamTask::StreamTask(TaskServices services, DeployTask deployment)
    : services_(services),
      deployment_(std::move(deployment)),
      subtask_(services.graph.subtask(deployment_.task.subtask)),
      vertex_(services.graph.job().vertex(subtask_.id.operator_id)),
      params_(services.job.params_of(vertex_.name)) {
  CKPT_ASSERT(deployment_.placement.size() == services.graph.subtasks().size(), "placement covers every subtask");
}

StreamTask::~StreamTask() {
  *alive_ = false;
  if (flush_timer_ != kNoTimer) services_.timers.cancel(flush_timer_);
  for (ChannelId id : inputs_) services_.data_plane.detach(id, false);
  if (output_) {
    for (ChannelId id : output_->all_channels()) services_.data_plane.detach(id, true);
  }
}

void StreamTask::start() {
  create_operator();
  const Status connected = connect_channels();
  if (!connected.is_ok()) {
    fail("could not connect channels: " + connected.message());
    return;
  }
  begin_restore();
}

Status StreamTask::connect_channels() {
  const ExecutionGraph& graph = services_.graph;
  for (const auto& gate : subtask_.input_gates) {
    for (ChannelId logical : gate) {
      const Channel& channel = graph.channel(logical);
      Result<ChannelId> id = services_.data_plane.connect(deployment_.epoch, logical, deployment_.placement[channel.producer],
                                                          services_.self);
      if (!id.is_ok()) return id.status();
      const auto input_index = static_cast<std::uint32_t>(inputs_.size());
      inputs_.push_back(id.value());
      services_.data_plane.set_on_readable(id.value(), guarded([this] { schedule_step(0); }));
      services_.data_plane.set_on_failed(id.value(), false, [this, token = std::weak_ptr<bool>(alive_)](Status s) {
        if (!token.expired()) fail("input channel failed: " + s.message());
      });
      (void)input_index;
    }
  }
  input_ended_.assign(inputs_.size(), false);
  std::vector<OutputPartitionSpec> partitions;
  for (std::size_t o = 0; o < subtask_.output_partitions.size(); ++o) {
    const JobEdge& edge = graph.job().edge(vertex_.outputs[o]);
    const JobVertex& consumer = graph.job().vertex(edge.to);
    OutputPartitionSpec spec;
    spec.partitioning = edge.partitioning;
    spec.consumer_parallelism = consumer.parallelism;
    spec.consumer_max_parallelism = consumer.max_parallelism;
    for (ChannelId logical : subtask_.output_partitions[o]) {
      const Channel& channel = graph.channel(logical);
      Result<ChannelId> id = services_.data_plane.connect(deployment_.epoch, logical, services_.self,
                                                          deployment_.placement[channel.consumer]);
      if (!id.is_ok()) return id.status();
      spec.channels.push_back(id.value());
      services_.data_plane.set_on_writable(id.value(), guarded([this, channel_id = id.value()] {
        output_->on_writable(channel_id);
        if (services_.observer != nullptr && !output_->backpressured()) {
          services_.observer->on_task_backpressure(deployment_.task, false);
        }
        schedule_step(0);
      }));
      services_.data_plane.set_on_failed(id.value(), true, [this, token = std::weak_ptr<bool>(alive_)](Status s) {
        if (!token.expired()) fail("output channel failed: " + s.message());
      });
    }
    partitions.push_back(std::move(spec));
  }
  output_ = std::make_unique<OutputGate>(services_.data_plane, std::move(partitions),
                                         services_.job.network.buffer_size_bytes, subtask_.id.subtask_index);
  if (!inputs_.empty()) {
    const auto count = static_cast<std::uint32_t>(inputs_.size());
    if (services_.job.checkpointing_mode == CheckpointingMode::kExactlyOnce) {
      barriers_ = std::make_unique<AlignedBarrierHandler>(count, deployment_.restore_checkpoint);
    } else {
      barriers_ = std::make_unique<AtLeastOnceBarrierTracker>(count, deployment_.restore_checkpoint);
    }
  }
  return Status::ok();
}

void StreamTask::create_operator() {
  const OperatorKind kind = vertex_.kind;
  switch (kind) {
    case OperatorKind::kSource: {
      const std::uint32_t partitions = services_.source_log.partition_count();
      for (std::uint32_t p = subtask_.id.subtask_index; p < partitions; p += vertex_.parallelism) partitions_.push_back(p);
      next_offsets_.assign(partitions_.size(), 0);
      return;
    }
    case OperatorKind::kMap:
    case OperatorKind::kFilter:
      operator_ = std::make_unique<StatelessOperator>(kind, params_);
      return;
    case OperatorKind::kKeyedAggregate: {
      operator_ = std::make_unique<KeyedAggregateOperator>(make_keyed_state_backend());
      auto* rocksdb = dynamic_cast<RocksDbStateBackend*>(operator_->keyed_state_backend());
      if (services_.job.checkpointing.incremental && rocksdb != nullptr) {
        // The attempt and epoch make every shared name unique to this task instance.
        const std::string prefix = services_.job.checkpointing.job_id + "/shared/" + vertex_.name + "-" +
                                   std::to_string(subtask_.id.subtask_index) + "-e" +
                                   std::to_string(deployment_.epoch) + "-a" + std::to_string(deployment_.task.attempt) +
                                   "-";
        incremental_ = std::make_unique<RocksDbTaskSnapshots>(*rocksdb, prefix);
      }
      return;
    }
    case OperatorKind::kSequenceChecker:
      operator_ = std::make_unique<SequenceCheckerOperator>(make_keyed_state_backend());
      return;
    case OperatorKind::kSink: {
      SinkContext context{services_.rpc, services_.clock, services_.sink_store, deployment_.task, deployment_.epoch,
                          vertex_.name, subtask_.id.subtask_index, services_.observer, services_.coverage};
      if (services_.job.sink_guarantee == SinkGuarantee::kExactlyOnce) {
        sink_ = std::make_unique<TwoPhaseCommitSink>(std::move(context));
      } else {
        sink_ = std::make_unique<AtLeastOnceSink>(std::move(context));
      }
      return;
    }
  }
  CKPT_UNREACHABLE("unknown operator kind");
}

std::unique_ptr<KeyedStateBackend> StreamTask::make_keyed_state_backend() const {
  if (services_.state_backends == nullptr || !*services_.state_backends) {
    return make_memory_state_backend(vertex_.max_parallelism, subtask_.key_groups);
  }
  const std::string label = vertex_.name + "-" + std::to_string(subtask_.id.subtask_index);
  std::unique_ptr<KeyedStateBackend> backend =
      (*services_.state_backends)(label, vertex_.max_parallelism, subtask_.key_groups);
  CKPT_ASSERT(backend != nullptr, "the state backend factory creates a backend");
  return backend;
}

// ------------------------------------------------------------------ restore

void StreamTask::begin_restore() {
  const std::vector<std::string>& blobs = deployment_.restore_state.blob_names;
  if (deployment_.restore_checkpoint == kNoCheckpointId || blobs.empty()) {
    finish_restore({});
    return;
  }
  CKPT_ASSERT(blobs.size() == 1, "one blob per subtask snapshot");
  services_.blobs.get(blobs[0], [this, token = std::weak_ptr<bool>(alive_)](Result<Bytes> bytes) {
    if (token.expired()) return;
    if (!bytes.is_ok()) {
      fail("restore failed: " + bytes.status().to_string());
      return;
    }
    if (incremental_) {
      restore_incremental(bytes.value());
      return;
    }
    std::vector<Bytes> snapshots;
    snapshots.push_back(std::move(bytes).value());
    finish_restore(snapshots);
  });
}

void StreamTask::finish_restore(const std::vector<Bytes>& snapshots) {
  Status restored = Status::ok();
  if (!snapshots.empty()) {
    if (vertex_.kind == OperatorKind::kSource) {
      ByteReader r(snapshots[0]);
      std::uint32_t count = 0;
      restored = r.read_u32(count, "source partition count");
      if (restored.is_ok() && count != partitions_.size()) restored = Status::corruption("source partitions changed");
      for (std::uint32_t i = 0; restored.is_ok() && i < count; ++i) {
        std::uint32_t partition = 0;
        restored = r.read_u32(partition, "partition");
        if (restored.is_ok() && partition != partitions_[i]) restored = Status::corruption("source partition mismatch");
        if (restored.is_ok()) restored = r.read_u64(next_offsets_[i], "offset");
      }
      if (restored.is_ok()) restored = r.expect_end("source snapshot");
    } else if (sink_) {
      restored = sink_->restore(deployment_.restore_checkpoint, snapshots);
    } else if (operator_) {
      restored = operator_->restore(snapshots);
    }
  } else if (sink_) {
    restored = sink_->restore(deployment_.restore_checkpoint, {});
  }
  if (!restored.is_ok()) {
    fail("restore failed: " + restored.to_string());
    return;
  }
  complete_restore(snapshots.empty() ? 0 : snapshots[0].size());
}

void StreamTask::restore_incremental(const Bytes& private_blob) {
  Result<TaskSnapshotContents> decoded = RocksDbTaskSnapshots::decode_private_blob(private_blob);
  if (!decoded.is_ok()) {
    fail("restore failed: " + decoded.status().to_string());
    return;
  }
  auto contents = std::make_shared<TaskSnapshotContents>(std::move(decoded).value());
  // Every shared file must be one the coordinator knows the checkpoint refers to.
  const std::vector<std::string>& listed = deployment_.restore_state.shared_blob_names;
  for (const CheckpointFileRef& f : contents->handle.shared_files) {
    if (!std::binary_search(listed.begin(), listed.end(), f.storage_name)) {
      fail("restore failed: shared file " + f.storage_name + " is not in the checkpoint's handle");
      return;
    }
  }
  fetch_shared_blobs(std::move(contents), std::make_shared<std::map<std::string, Bytes>>(), 0);
}

void StreamTask::fetch_shared_blobs(std::shared_ptr<TaskSnapshotContents> contents,
                                    std::shared_ptr<std::map<std::string, Bytes>> fetched, std::size_t next) {
  // One download at a time, in handle order: a deterministic sequence of gets.
  if (next < contents->handle.shared_files.size()) {
    const std::string name = contents->handle.shared_files[next].storage_name;
    services_.blobs.get(name, [this, token = std::weak_ptr<bool>(alive_), contents, fetched, next,
                               name](Result<Bytes> bytes) mutable {
      if (token.expired()) return;
      if (!bytes.is_ok()) {
        fail("restore failed: " + name + ": " + bytes.status().to_string());
        return;
      }
      (*fetched)[name] = std::move(bytes).value();
      fetch_shared_blobs(std::move(contents), std::move(fetched), next + 1);
    });
    return;
  }
  const Status restored = incremental_->restore(*contents, *fetched);
  if (!restored.is_ok()) {
    fail("restore failed: " + restored.to_string());
    return;
  }
  std::uint64_t modelled_bytes = RocksDbTaskSnapshots::kModelledPrivateBytes;
  for (std::uint64_t modelled : contents->shared_modelled_bytes) modelled_bytes += modelled;
  complete_restore(modelled_bytes);
}

void StreamTask::complete_restore(std::uint64_t bytes) {
  const DurationNs restore_ns = static_cast<DurationNs>(bytes / 1024) * services_.job.state_cost.restore_ns_per_kib;
  if (services_.observer != nullptr) {
    services_.observer->on_task_restored(deployment_.task, deployment_.restore_checkpoint, state_view());
  }
  services_.timers.schedule_after(restore_ns, guarded([this] { become_running(); }));
}

void StreamTask::become_running() {
  if (state_ != State::kRestoring) return;
  state_ = State::kRunning;
  send_status(MessageType::kTaskRunning, "");
  arm_flush_timer();
  schedule_step(0);
}

// ------------------------------------------------------------------ loop

void StreamTask::schedule_step(DurationNs delay_ns) {
  if (step_scheduled_) return;
  step_scheduled_ = true;
  services_.timers.schedule_after(delay_ns, guarded([this] {
    step_scheduled_ = false;
    step();
  }));
}

void StreamTask::arm_flush_timer() {
  // Timeout 0 flushes at the end of every step (flush_after_step_if_always); the timer then
  // only does the sink's housekeeping, at a fixed period so virtual time advances.
  constexpr DurationNs kHousekeepingPeriodNs = 10 * kMillisecond;
  const DurationNs timeout_ns = services_.job.network.buffer_timeout_ns;
  flush_timer_ = services_.timers.schedule_after(timeout_ns > 0 ? timeout_ns : kHousekeepingPeriodNs, guarded([this] {
    flush_timer_ = kNoTimer;
    if (state_ != State::kRunning && state_ != State::kFinishing) return;
    output_->flush_all();
    if (sink_) {
      sink_->flush();
      const Status retried = sink_->retry_overdue();
      if (!retried.is_ok()) {
        fail(retried.message());
        return;
      }
      maybe_finish();
    }
    arm_flush_timer();
  }));
}

void StreamTask::step() {
  if (state_ != State::kRunning) return;
  const TimeNs now_ns = services_.clock.now_ns();
  if (now_ns < busy_until_ns_) {
    schedule_step(busy_until_ns_ - now_ns);
    return;
  }
  if (output_->failed()) {
    fail("output channel unavailable");
    return;
  }
  if (output_->backpressured()) {  // resumed by on_writable
    if (services_.observer != nullptr) services_.observer->on_task_backpressure(deployment_.task, true);
    return;
  }
  if (vertex_.kind == OperatorKind::kSource) {
    source_step();
    flush_after_step_if_always();
    return;
  }
  const bool more = input_step();
  flush_after_step_if_always();
  if (more) schedule_step(std::max<DurationNs>(0, busy_until_ns_ - services_.clock.now_ns()));
}

void StreamTask::flush_after_step_if_always() {
  // execution.buffer-timeout.interval 0: Flink flushes after every record. We flush after
  // every step (one source batch or one input buffer), which keeps the output queues
  // bounded by one buffer per channel per step; latency is the same up to the step's cost.
  if (services_.job.network.buffer_timeout_ns == 0 && output_ && state_ == State::kRunning) output_->flush_all();
}

void StreamTask::source_step() {
  const std::size_t batch_max = std::max<std::size_t>(1, services_.job.network.buffer_size_bytes / kRecordBytes);
  const TimeNs now_ns = services_.clock.now_ns();
  std::size_t emitted = 0;
  TimeNs next_available_ns = kTimeNever;
  std::size_t idle_partitions = 0;
  while (emitted < batch_max && idle_partitions < partitions_.size()) {
    const std::size_t i = next_partition_;
    next_partition_ = static_cast<std::uint32_t>((next_partition_ + 1) % partitions_.size());
    const std::uint32_t partition = partitions_[i];
    const std::uint64_t offset = next_offsets_[i];
    if (offset >= services_.source_log.partition_length(partition)) {
      ++idle_partitions;
      continue;
    }
    const TimeNs available_ns = services_.source_log.available_at_ns(offset);
    if (available_ns > now_ns) {
      next_available_ns = std::min(next_available_ns, available_ns);
      ++idle_partitions;
      continue;
    }
    idle_partitions = 0;
    output_->emit(services_.source_log.read(partition, offset));
    ++next_offsets_[i];
    ++emitted;
  }
  if (emitted > 0) {
    if (services_.observer != nullptr) services_.observer->on_source_emitted(deployment_.task, emitted);
    busy_until_ns_ = now_ns + static_cast<DurationNs>(emitted) * params_.cost_per_record_ns;
    schedule_step(busy_until_ns_ - now_ns);
    return;
  }
  if (next_available_ns != kTimeNever) {
    schedule_step(next_available_ns - now_ns);
    return;
  }
  if (!exhausted_reported_) {
    exhausted_reported_ = true;
    output_->flush_all();
    send_status(MessageType::kSourceExhausted, "");
  }
}

bool StreamTask::input_step() {
  const auto count = static_cast<std::uint32_t>(inputs_.size());
  for (std::uint32_t tried = 0; tried < count; ++tried) {
    const std::uint32_t channel = next_input_;
    next_input_ = (next_input_ + 1) % count;
    if (input_ended_[channel] || barriers_->is_blocked(channel)) continue;
    ChannelReader& reader = services_.data_plane.reader(inputs_[channel]);
    if (!reader.has_buffer()) continue;
    handle_buffer(channel, reader.take());
    return state_ == State::kRunning;
  }
  return false;
}

void StreamTask::handle_buffer(std::uint32_t channel, NetworkBuffer buffer) {
  const TimeNs now_ns = services_.clock.now_ns();
  switch (static_cast<ChannelEvent>(buffer.kind)) {
    case ChannelEvent::kRecords:
      process_records(buffer);
      return;
    case ChannelEvent::kBarrier:
      if (static_cast<CheckpointId>(buffer.tag) <= barriers_->latest_seen_checkpoint() &&
          static_cast<CheckpointId>(buffer.tag) != barriers_->aligning_checkpoint()) {
        cover(services_.coverage, coverage::kStaleBarrier);
      }
      barriers_->on_barrier(channel, static_cast<CheckpointId>(buffer.tag), now_ns, actions_);
      apply_barrier_actions();
      return;
    case ChannelEvent::kCancelBarrier:
      barriers_->on_cancel_barrier(channel, static_cast<CheckpointId>(buffer.tag), actions_);
      apply_barrier_actions();
      return;
    case ChannelEvent::kEndOfPartition:
      on_input_ended(channel);
      return;
  }
  fail("unknown buffer kind " + std::to_string(buffer.kind));
}

void StreamTask::process_records(const NetworkBuffer& buffer) {
  const std::size_t count = record_codec::count(buffer.bytes);
  const std::uint8_t* data = buffer.bytes.data();
  for (std::size_t i = 0; i < count; ++i) {
    const Record record = record_codec::read(data + i * kRecordBytes);
    if (sink_) {
      sink_->write(record);
    } else {
      operator_->process(record, *output_);
    }
  }
  busy_until_ns_ = services_.clock.now_ns() + static_cast<DurationNs>(count) * params_.cost_per_record_ns;
}

void StreamTask::on_input_ended(std::uint32_t channel) {
  if (input_ended_[channel]) return;
  input_ended_[channel] = true;
  ++inputs_ended_count_;
  if (barriers_->aligning_checkpoint() != kNoCheckpointId) cover(services_.coverage, coverage::kEndOfPartitionDuringAlignment);
  barriers_->on_end_of_partition(channel, services_.clock.now_ns(), actions_);
  apply_barrier_actions();
  if (inputs_ended_count_ == inputs_.size() && state_ == State::kRunning) {
    state_ = State::kFinishing;
    output_->broadcast_event(ChannelEvent::kEndOfPartition, 0);
    if (sink_) sink_->flush();
    maybe_finish();
  }
}

void StreamTask::end_of_input() {
  if (vertex_.kind != OperatorKind::kSource || end_of_input_received_) return;
  end_of_input_received_ = true;
  if (state_ != State::kRunning) return;
  state_ = State::kFinishing;
  output_->broadcast_event(ChannelEvent::kEndOfPartition, 0);
  maybe_finish();
}

void StreamTask::maybe_finish() {
  if (state_ != State::kFinishing) return;
  if (sink_ && !sink_->finished_ready()) return;  // commits or writes still outstanding
  if (!async_.empty()) return;                     // acknowledgements still to send
  state_ = State::kFinished;
  if (services_.observer != nullptr) services_.observer->on_task_finished(deployment_.task, state_view());
  send_status(MessageType::kTaskFinished, "");
}

void StreamTask::fail(const std::string& reason) {
  if (state_ == State::kFailed || state_ == State::kFinished) return;
  state_ = State::kFailed;
  send_status(MessageType::kTaskFailed, reason);
}

void StreamTask::send_status(MessageType type, const std::string& detail) {
  TaskStatusMessage status{deployment_.task, deployment_.epoch, detail};
  (void)services_.rpc.send(services_.job_manager, encode(type, status));
}

void StreamTask::on_store_reply(MessageType type, const StoreReply& reply) {
  if (!sink_) return;
  sink_->on_store_reply(type, reply);
  std::vector<CheckpointId> uploaded;
  for (const auto& [id, pending] : async_) {
    if (pending.uploaded) uploaded.push_back(id);
  }
  for (CheckpointId id : uploaded) maybe_acknowledge(id);  // may erase entries
  maybe_finish();
}

}  // namespace ckptsim
