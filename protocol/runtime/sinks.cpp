#include "protocol/runtime/sinks.h"

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {
namespace {
constexpr std::size_t kMaxPendingTransactions = 4096;
}  // namespace

// ------------------------------------------------------------- two-phase commit

TwoPhaseCommitSink::TwoPhaseCommitSink(SinkContext context) : context_(std::move(context)) {}

std::string TwoPhaseCommitSink::transaction_name(CheckpointId id) const {
  // Checkpoint ids are unique over the job's life (across epochs and JobManager
  // restarts), so this name is unique; the store records the epoch separately.
  return context_.sink_name + "/" + std::to_string(context_.subtask_index) + "/" + std::to_string(id);
}

void TwoPhaseCommitSink::send_prepare(CheckpointId id, Pending& pending) {
  StoreRequest request;
  request.task = context_.task;
  request.transaction = pending.name;
  request.sink_subtask = context_.subtask_index;
  request.checkpoint = id;
  request.request_id = context_.epoch;
  request.records = pending.records;
  pending.last_sent_ns = context_.clock.now_ns();
  ++pending.attempts;
  (void)context_.rpc.send(context_.store, encode(MessageType::kStorePrepare, request));
}

// Layout: u32 count, then per pending transaction: i64 checkpoint id, string name.
Result<Bytes> TwoPhaseCommitSink::snapshot(CheckpointId id) {
  CKPT_ASSERT(pending_.empty() || pending_.rbegin()->first < id, "pre-commits happen in checkpoint order");
  CKPT_ASSERT(pending_.size() < kMaxPendingTransactions, "too many pending transactions");
  Pending& pending = pending_[id];
  pending.name = transaction_name(id);
  pending.has_records = !current_.empty();
  pending.records = std::move(current_);
  current_ = {};
  send_prepare(id, pending);
  ByteWriter w;
  w.put_u32(static_cast<std::uint32_t>(pending_.size()));
  for (const auto& [checkpoint, p] : pending_) {
    w.put_i64(checkpoint);
    w.put_string(p.name);
  }
  return std::move(w).take();
}

bool TwoPhaseCommitSink::checkpoint_ready(CheckpointId id) const {
  // Checkpoint id's snapshot lists every pending transaction up to id, and completing id
  // makes all of them committable (subsuming contract). So id may be acknowledged only
  // when every one of them is prepared, not only its own: with concurrent checkpoints a
  // lost prepare of an earlier one may still be retrying. Committed ones are absent.
  for (auto it = pending_.begin(); it != pending_.end() && it->first <= id; ++it) {
    if (!it->second.prepared) return false;
  }
  return true;
}

bool TwoPhaseCommitSink::finished_ready() const {
  if (!current_.empty() || abort_in_flight_) return false;
  bool empty_left = false;
  for (const auto& [id, pending] : pending_) {
    if (pending.has_records) return false;
    empty_left = true;
  }
  if (empty_left) cover(context_.coverage, coverage::kSinkFinishedWithEmptyTransaction);
  return true;
}

void TwoPhaseCommitSink::notify_checkpoint_complete(CheckpointId id) {
  if (id > committable_up_to_) committable_up_to_ = id;
  send_next_commit();
}

void TwoPhaseCommitSink::send_next_commit() {
  if (commit_in_flight_ != kNoCheckpointId || pending_.empty()) return;
  auto& [id, pending] = *pending_.begin();
  if (id > committable_up_to_) return;
  CKPT_ASSERT(pending.prepared, "a transaction of a completed checkpoint was prepared");
  StoreRequest request;
  request.task = context_.task;
  request.transaction = pending.name;
  request.sink_subtask = context_.subtask_index;
  request.checkpoint = id;
  commit_in_flight_ = id;
  pending.commit_sent = true;
  pending.last_sent_ns = context_.clock.now_ns();
  ++pending.attempts;
  if (context_.observer != nullptr && pending.attempts == 1) {
    context_.observer->on_commit_requested(context_.task, id, pending.name);
  }
  (void)context_.rpc.send(context_.store, encode(MessageType::kStoreCommit, request));
}

Status TwoPhaseCommitSink::restore(CheckpointId restored_id, const std::vector<Bytes>& snapshots) {
  std::vector<std::string> keep;
  for (const Bytes& snapshot : snapshots) {
    ByteReader r(snapshot);
    std::uint32_t count = 0;
    Status s = r.read_u32(count, "pending transaction count");
    if (s.is_ok() && count > kMaxPendingTransactions) s = Status::corruption("too many pending transactions");
    for (std::uint32_t i = 0; s.is_ok() && i < count; ++i) {
      CheckpointId id = 0;
      std::string name;
      s = r.read_i64(id, "checkpoint id");
      if (s.is_ok()) s = r.read_string(name);
      if (!s.is_ok()) break;
      Pending& pending = pending_[id];
      pending.name = name;
      pending.prepared = true;  // pre-committed before the checkpoint completed
      keep.push_back(name);
    }
    if (s.is_ok()) s = r.expect_end("two-phase commit sink snapshot");
    if (!s.is_ok()) return Status::corruption("two-phase commit sink state: " + s.message());
  }
  // Recover-and-commit: every restored transaction belongs to a completed checkpoint.
  if (!keep.empty()) cover(context_.coverage, coverage::kRestoreWithPendingTransactions);
  committable_up_to_ = restored_id;
  abort_request_ = StoreRequest{};
  abort_request_.task = context_.task;
  abort_request_.transaction = context_.sink_name + "/" + std::to_string(context_.subtask_index) + "/";
  abort_request_.sink_subtask = context_.subtask_index;
  abort_request_.request_id = context_.epoch;
  abort_request_.keep = std::move(keep);
  abort_in_flight_ = true;
  abort_sent_ns_ = context_.clock.now_ns();
  abort_attempts_ = 1;
  (void)context_.rpc.send(context_.store, encode(MessageType::kStoreAbortLingering, abort_request_));
  send_next_commit();
  return Status::ok();
}

void TwoPhaseCommitSink::on_store_reply(MessageType type, const StoreReply& reply) {
  switch (type) {
    case MessageType::kStorePrepareAck:
      for (auto& [id, pending] : pending_) {
        if (pending.name == reply.transaction && !pending.prepared) {
          pending.prepared = true;
          pending.records = {};
          pending.attempts = 0;
        }
      }
      return;
    case MessageType::kStoreCommitAck: {
      if (commit_in_flight_ == kNoCheckpointId) return;  // a duplicate ack
      auto it = pending_.find(commit_in_flight_);
      if (it == pending_.end() || it->second.name != reply.transaction) return;
      pending_.erase(it);
      commit_in_flight_ = kNoCheckpointId;
      send_next_commit();
      return;
    }
    case MessageType::kStoreAbortLingeringAck:
      abort_in_flight_ = false;
      return;
    default:
      return;
  }
}

Status TwoPhaseCommitSink::retry_overdue() {
  const TimeNs now_ns = context_.clock.now_ns();
  if (abort_in_flight_ && now_ns - abort_sent_ns_ >= kRetryAfterNs) {
    if (abort_attempts_ >= kMaxAttempts) return Status::unavailable("transactional store unreachable (abort lingering)");
    ++abort_attempts_;
    abort_sent_ns_ = now_ns;
    (void)context_.rpc.send(context_.store, encode(MessageType::kStoreAbortLingering, abort_request_));
  }
  for (auto& [id, pending] : pending_) {
    const bool waiting = !pending.prepared || (pending.commit_sent && commit_in_flight_ == id);
    if (!waiting || now_ns - pending.last_sent_ns < kRetryAfterNs) continue;
    if (pending.attempts >= kMaxAttempts) return Status::unavailable("transactional store unreachable for " + pending.name);
    if (!pending.prepared) {
      cover(context_.coverage, coverage::kPrepareRetried);
      send_prepare(id, pending);
    } else {
      cover(context_.coverage, coverage::kCommitRetried);
      commit_in_flight_ = kNoCheckpointId;  // resend the same commit
      pending.commit_sent = false;
      send_next_commit();
    }
  }
  return Status::ok();
}

bool TwoPhaseCommitSink::has_outstanding_requests() const {
  if (abort_in_flight_ || commit_in_flight_ != kNoCheckpointId) return true;
  for (const auto& [id, pending] : pending_) {
    if (!pending.prepared) return true;
  }
  return false;
}

void TwoPhaseCommitSink::fill_view(OperatorStateView& view) const {
  view.pending_transactions.clear();
  for (const auto& [id, pending] : pending_) view.pending_transactions.push_back(pending.name);
}

// ------------------------------------------------------------- at least once

AtLeastOnceSink::AtLeastOnceSink(SinkContext context) : context_(std::move(context)) {}

void AtLeastOnceSink::write(const Record& record) {
  record_codec::append(batch_, record);
  if (batch_.size() >= kBatchRecords * kRecordBytes) flush();
}

void AtLeastOnceSink::send(std::uint64_t id, InFlight& write) {
  StoreRequest request;
  request.task = context_.task;
  request.transaction = context_.sink_name;
  request.sink_subtask = context_.subtask_index;
  request.request_id = id;
  request.records = write.records;
  write.last_sent_ns = context_.clock.now_ns();
  ++write.attempts;
  (void)context_.rpc.send(context_.store, encode(MessageType::kStoreWrite, request));
}

void AtLeastOnceSink::flush() {
  if (batch_.empty()) return;
  const std::uint64_t id = next_write_id_++;
  InFlight& write = in_flight_[id];
  write.records = std::move(batch_);
  batch_ = {};
  send(id, write);
}

Result<Bytes> AtLeastOnceSink::snapshot(CheckpointId id) {
  flush();
  barrier_write_id_[id] = next_write_id_;
  return Bytes{};
}

bool AtLeastOnceSink::checkpoint_ready(CheckpointId id) const {
  auto barrier = barrier_write_id_.find(id);
  if (barrier == barrier_write_id_.end()) return true;
  return in_flight_.empty() || in_flight_.begin()->first >= barrier->second;
}

void AtLeastOnceSink::notify_checkpoint_complete(CheckpointId id) {
  // Completed checkpoints no longer wait for anything: forget their barrier marks.
  barrier_write_id_.erase(barrier_write_id_.begin(), barrier_write_id_.upper_bound(id));
}

void AtLeastOnceSink::on_store_reply(MessageType type, const StoreReply& reply) {
  if (type == MessageType::kStoreWriteAck) in_flight_.erase(reply.request_id);
}

Status AtLeastOnceSink::retry_overdue() {
  const TimeNs now_ns = context_.clock.now_ns();
  for (auto& [id, write] : in_flight_) {
    if (now_ns - write.last_sent_ns < kRetryAfterNs) continue;
    if (write.attempts >= kMaxAttempts) return Status::unavailable("transactional store unreachable (write)");
    send(id, write);
  }
  return Status::ok();
}

}  // namespace ckptsim
