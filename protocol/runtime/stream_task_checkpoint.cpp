// StreamTask: the checkpoint side (trigger, snapshot, upload, acknowledge, notify).
#include <algorithm>
#include <utility>

#include "protocol/base/assert.h"
#include "protocol/runtime/stream_task.h"
#include "protocol/state/byte_io.h"
#include "protocol/state/crc32c.h"

namespace ckptsim {

void StreamTask::trigger_checkpoint(CheckpointId id, TimeNs) {
  CKPT_ASSERT(vertex_.kind == OperatorKind::kSource, "only sources are triggered by the coordinator");
  if (state_ != State::kRunning) {
    decline(id, state_ == State::kRestoring ? CheckpointFailureReason::kCheckpointDeclinedTaskNotReady
                                            : CheckpointFailureReason::kCheckpointDeclinedTaskClosing);
    return;
  }
  perform_checkpoint(id, 0);
}

void StreamTask::apply_barrier_actions() {
  // Swap out first: perform_checkpoint can itself produce no new actions, but keep the
  // handler's buffer reusable and the iteration safe.
  std::vector<BarrierAction> actions;
  actions.swap(actions_);
  for (const BarrierAction& action : actions) {
    switch (action.kind) {
      case BarrierAction::Kind::kTriggerCheckpoint:
        perform_checkpoint(action.id, action.alignment_ns);
        break;
      case BarrierAction::Kind::kAbortCheckpoint:
        if (action.reason == CheckpointFailureReason::kCheckpointDeclinedSubsumed) {
          cover(services_.coverage, coverage::kAlignmentSubsumed);
        } else if (action.reason == CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier) {
          cover(services_.coverage, coverage::kCancelMarker);
        }
        output_->broadcast_event(ChannelEvent::kCancelBarrier, static_cast<std::uint64_t>(action.id));
        decline(action.id, action.reason);
        break;
    }
  }
  actions.clear();
  if (actions_.empty()) actions_.swap(actions);
}

void StreamTask::perform_checkpoint(CheckpointId id, DurationNs alignment_ns) {
  if (state_ != State::kRunning && state_ != State::kFinishing) {
    decline(id, CheckpointFailureReason::kCheckpointDeclinedTaskNotReady);
    return;
  }
  if (incremental_) {
    AsyncCheckpoint prepared;
    if (Status captured = capture_incremental(id, prepared); !captured.is_ok()) {
      fail_sync_phase(id, captured);
      return;
    }
    output_->broadcast_event(ChannelEvent::kBarrier, static_cast<std::uint64_t>(id));
    AsyncCheckpoint& pending = async_[id];
    pending = std::move(prepared);
    pending.metrics.alignment_ns = alignment_ns;
    pending.metrics.in_flight_bytes = output_->buffered_bytes();
    // Flush and hard links: modelled from the logical bytes this checkpoint adds.
    const DurationNs sync_ns = static_cast<DurationNs>((pending.metrics.state_size_bytes + 1023) / 1024) *
                               services_.job.state_cost.sync_snapshot_ns_per_kib;
    pending.metrics.sync_ns = sync_ns;
    busy_until_ns_ = std::max(busy_until_ns_, services_.clock.now_ns()) + sync_ns;
    services_.timers.schedule_after(sync_ns, guarded([this, id] { start_upload(id); }));
    return;
  }
  Result<Bytes> bytes = capture_state(id);
  if (!bytes.is_ok()) {
    fail_sync_phase(id, bytes.status());
    return;
  }
  // The barrier follows every record emitted before the snapshot and precedes every
  // record emitted after it.
  output_->broadcast_event(ChannelEvent::kBarrier, static_cast<std::uint64_t>(id));
  AsyncCheckpoint& pending = async_[id];
  pending.bytes = std::move(bytes).value();
  pending.metrics.alignment_ns = alignment_ns;
  pending.metrics.state_size_bytes = pending.bytes.size();
  pending.metrics.in_flight_bytes = output_->buffered_bytes();
  const DurationNs sync_ns =
      static_cast<DurationNs>((pending.bytes.size() + 1023) / 1024) * services_.job.state_cost.sync_snapshot_ns_per_kib;
  pending.metrics.sync_ns = sync_ns;
  const TimeNs now_ns = services_.clock.now_ns();
  busy_until_ns_ = std::max(busy_until_ns_, now_ns) + sync_ns;
  services_.timers.schedule_after(sync_ns, guarded([this, id] { start_upload(id); }));
}

Result<Bytes> StreamTask::capture_state(CheckpointId id) {
  Result<Bytes> bytes = Bytes{};
  if (vertex_.kind == OperatorKind::kSource) {
    ByteWriter w;
    w.put_u32(static_cast<std::uint32_t>(partitions_.size()));
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
      w.put_u32(partitions_[i]);
      w.put_u64(next_offsets_[i]);
    }
    bytes = std::move(w).take();
  } else if (sink_) {
    bytes = sink_->snapshot(id);
  } else {
    bytes = operator_->snapshot();
  }
  if (bytes.is_ok() && services_.observer != nullptr) {
    services_.observer->on_snapshot_captured(deployment_.task, id, state_view());
  }
  return bytes;
}

Status StreamTask::capture_incremental(CheckpointId id, AsyncCheckpoint& pending) {
  Result<PreparedTaskSnapshot> prepared = incremental_->prepare(id, blob_name(id));
  if (!prepared.is_ok()) return prepared.status();
  if (services_.observer != nullptr) services_.observer->on_snapshot_captured(deployment_.task, id, state_view());
  PreparedTaskSnapshot& snapshot = prepared.value();
  pending.uploads = std::move(snapshot.uploads);
  pending.handle = std::move(snapshot.handle);
  // What this checkpoint persists (Flink's checkpointed size), not the full state size.
  pending.metrics.state_size_bytes = snapshot.uploaded_modelled_bytes;
  return Status::ok();
}

void StreamTask::fail_sync_phase(CheckpointId id, const Status& status) {
  // As in Flink (SubtaskCheckpointCoordinatorImpl::checkpointState rethrows, and
  // StreamTask turns it into a task failure): the state cannot be captured, e.g. a
  // RocksDB backend whose flush failed keeps a sticky error that no later checkpoint
  // gets past. Declining would leave the task running on a backend that can never be
  // checkpointed again; failing it lets the JobManager fail over and redeploy it with
  // a fresh backend restored from the last completed checkpoint. The failover aborts
  // the pending checkpoint.
  cover(services_.coverage, coverage::kSnapshotFailedTaskFailed);
  fail("checkpoint " + std::to_string(id) + " failed in its synchronous phase: " + status.to_string());
}

void StreamTask::start_incremental_upload(CheckpointId id, AsyncCheckpoint& pending) {
  std::vector<SnapshotUpload> uploads = std::move(pending.uploads);
  pending.uploads.clear();
  pending.uploads_outstanding = uploads.size();
  CKPT_ASSERT(!uploads.empty(), "an incremental snapshot has at least its private blob");
  for (SnapshotUpload& upload : uploads) {
    services_.blobs.put_modelled(upload.name, std::move(upload.bytes), upload.modelled_size_bytes,
                                 [this, id, token = std::weak_ptr<bool>(alive_)](Status status) {
                                   if (token.expired()) return;
                                   on_upload_done(id, status);
                                 });
  }
}

void StreamTask::on_upload_done(CheckpointId id, const Status& status) {
  auto entry = async_.find(id);
  if (entry == async_.end()) return;  // declined after an earlier upload failed
  if (!status.is_ok()) {
    async_.erase(entry);
    decline(id, CheckpointFailureReason::kCheckpointAsyncException);
    maybe_finish();
    return;
  }
  CKPT_ASSERT(entry->second.uploads_outstanding > 0, "an upload completes once");
  if (--entry->second.uploads_outstanding > 0) return;
  entry->second.uploaded = true;
  maybe_acknowledge(id);
}

void StreamTask::start_upload(CheckpointId id) {
  auto it = async_.find(id);
  if (it == async_.end()) return;
  AsyncCheckpoint& pending = it->second;
  pending.async_start_ns = services_.clock.now_ns();
  if (incremental_) {
    start_incremental_upload(id, pending);
    return;
  }
  if (pending.bytes.empty()) {
    pending.uploaded = true;
    maybe_acknowledge(id);
    return;
  }
  const std::string name = blob_name(id);
  pending.handle.blob_names = {name};
  pending.handle.state_size_bytes = pending.bytes.size();
  pending.handle.checksum = crc32c_extend(0, pending.bytes);
  Bytes upload = std::move(pending.bytes);
  pending.bytes = {};
  pending.uploads_outstanding = 1;
  services_.blobs.put(name, std::move(upload), [this, id, token = std::weak_ptr<bool>(alive_)](Status status) {
    if (token.expired()) return;
    on_upload_done(id, status);
  });
}

void StreamTask::maybe_acknowledge(CheckpointId id) {
  auto it = async_.find(id);
  if (it == async_.end() || !it->second.uploaded) return;
  if (sink_ && !sink_->checkpoint_ready(id)) return;  // waiting for the store's prepare ack
  AsyncCheckpoint& pending = it->second;
  pending.metrics.async_ns = services_.clock.now_ns() - pending.async_start_ns;
  AcknowledgeCheckpoint ack{deployment_.task, id, std::move(pending.handle), pending.metrics};  // erased below
  (void)services_.rpc.send(services_.job_manager, encode(MessageType::kAcknowledgeCheckpoint, ack));
  async_.erase(it);
  maybe_finish();
}

void StreamTask::decline(CheckpointId id, CheckpointFailureReason reason) {
  cover(services_.coverage, coverage::kCheckpointDeclined);
  DeclineCheckpoint message{deployment_.task, id, reason};
  (void)services_.rpc.send(services_.job_manager, encode(MessageType::kDeclineCheckpoint, message));
}

void StreamTask::notify_checkpoint_complete(CheckpointId id) {
  if (incremental_) incremental_->confirm(id);
  if (sink_) {
    sink_->notify_checkpoint_complete(id);
    maybe_finish();
  }
}

void StreamTask::notify_checkpoint_aborted(CheckpointId id, CheckpointId latest_completed_id) {
  if (incremental_) incremental_->forget_confirmed();
  if (barriers_) {
    barriers_->on_checkpoint_aborted(id, actions_);
    // Flink does not send a decline for an abort the coordinator itself decided.
    for (const BarrierAction& action : actions_) {
      if (action.kind == BarrierAction::Kind::kAbortCheckpoint) {
        output_->broadcast_event(ChannelEvent::kCancelBarrier, static_cast<std::uint64_t>(action.id));
      }
    }
    actions_.clear();
    schedule_step(0);  // channels may have been unblocked
  }
  // An aborted checkpoint's upload may still be running; its ack will be discarded.
  // A missed completion (a lost notify-complete) is made up for here, for the sink's
  // commits only (it commits each transaction once, so a repeated notification changes
  // nothing); incremental uploads stay conservative and re-use no file after an abort.
  if (latest_completed_id != kNoCheckpointId && sink_) {
    sink_->notify_checkpoint_complete(latest_completed_id);
    maybe_finish();
  }
}

OperatorStateView StreamTask::state_view() const {
  OperatorStateView view;
  view.operator_name = vertex_.name;
  view.kind = vertex_.kind;
  view.subtask_index = subtask_.id.subtask_index;
  if (vertex_.kind == OperatorKind::kSource) {
    for (std::size_t i = 0; i < partitions_.size(); ++i) view.source_next_offsets.emplace_back(partitions_[i], next_offsets_[i]);
  } else if (sink_) {
    sink_->fill_view(view);
  } else if (operator_) {
    operator_->fill_view(view);
  }
  return view;
}

std::string StreamTask::blob_name(CheckpointId id) const {
  return services_.job.checkpointing.job_id + "/chk-" + std::to_string(id) + "/" + vertex_.name + "-" +
         std::to_string(subtask_.id.subtask_index) + "-a" + std::to_string(deployment_.task.attempt);
}

}  // namespace ckptsim
