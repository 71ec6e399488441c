#include "protocol/runtime/messages.h"

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {
namespace {

constexpr std::size_t kMaxListLength = 1u << 20;

void put_task(ByteWriter& w, const TaskRef& t) {
  w.put_u32(t.subtask);
  w.put_u32(t.attempt);
}
Status read_task(ByteReader& r, TaskRef& t) {
  Status s = r.read_u32(t.subtask, "task subtask");
  if (!s.is_ok()) return s;
  return r.read_u32(t.attempt, "task attempt");
}

void put_strings(ByteWriter& w, const std::vector<std::string>& list) {
  w.put_u32(static_cast<std::uint32_t>(list.size()));
  for (const std::string& s : list) w.put_string(s);
}
Status read_strings(ByteReader& r, std::vector<std::string>& list) {
  std::uint32_t count = 0;
  Status s = r.read_u32(count, "list length");
  if (!s.is_ok()) return s;
  if (count > kMaxListLength || count > r.remaining()) return Status::corruption("list length out of range");
  list.resize(count);
  for (std::string& item : list) {
    s = r.read_string(item);
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

// A handle with shared blobs sets the top bit of the private count and appends the
// shared list, so a handle without them is encoded exactly as before they existed.
constexpr std::uint32_t kSharedListFlag = 0x80000000u;

void put_handle(ByteWriter& w, const SubtaskStateHandle& h) {
  const bool shared = !h.shared_blob_names.empty();
  CKPT_ASSERT(h.blob_names.size() < kSharedListFlag, "too many blobs in a handle");
  w.put_u32(static_cast<std::uint32_t>(h.blob_names.size()) | (shared ? kSharedListFlag : 0u));
  for (const std::string& s : h.blob_names) w.put_string(s);
  w.put_u64(h.state_size_bytes);
  w.put_u64(h.checksum);
  if (shared) put_strings(w, h.shared_blob_names);
}
Status read_handle(ByteReader& r, SubtaskStateHandle& h) {
  std::uint32_t count = 0;
  Status s = r.read_u32(count, "list length");
  if (!s.is_ok()) return s;
  const bool shared = (count & kSharedListFlag) != 0;
  count &= ~kSharedListFlag;
  if (count > kMaxListLength || count > r.remaining()) return Status::corruption("list length out of range");
  h.blob_names.resize(count);
  for (std::string& item : h.blob_names) {
    s = r.read_string(item);
    if (!s.is_ok()) return s;
  }
  s = r.read_u64(h.state_size_bytes, "state size");
  if (s.is_ok()) s = r.read_u64(h.checksum, "state checksum");
  if (s.is_ok() && shared) s = read_strings(r, h.shared_blob_names);
  return s;
}

RpcMessage finish(MessageType type, ByteWriter&& w) { return RpcMessage{static_cast<std::uint32_t>(type), std::move(w).take()}; }

// Runs `read` over the message body and checks that nothing is left over.
template <typename T, typename ReadFn>
Result<T> decode_body(const RpcMessage& m, ReadFn read) {
  ByteReader r(m.body);
  T value{};
  Status s = read(r, value);
  if (s.is_ok()) s = r.expect_end(message_type_name(m.type));
  if (!s.is_ok()) return Status::corruption(std::string(message_type_name(m.type)) + ": " + s.message());
  return value;
}

}  // namespace

const char* message_type_name(std::uint32_t type) {
  switch (static_cast<MessageType>(type)) {
    case MessageType::kDeployTask: return "deploy-task";
    case MessageType::kCancelTasks: return "cancel-tasks";
    case MessageType::kTriggerCheckpoint: return "trigger-checkpoint";
    case MessageType::kNotifyCheckpointComplete: return "notify-checkpoint-complete";
    case MessageType::kNotifyCheckpointAborted: return "notify-checkpoint-aborted";
    case MessageType::kHeartbeatRequest: return "heartbeat-request";
    case MessageType::kEndOfInput: return "end-of-input";
    case MessageType::kHeartbeatResponse: return "heartbeat-response";
    case MessageType::kTaskRunning: return "task-running";
    case MessageType::kTaskFailed: return "task-failed";
    case MessageType::kTaskFinished: return "task-finished";
    case MessageType::kAcknowledgeCheckpoint: return "acknowledge-checkpoint";
    case MessageType::kDeclineCheckpoint: return "decline-checkpoint";
    case MessageType::kSourceExhausted: return "source-exhausted";
    case MessageType::kStorePrepare: return "store-prepare";
    case MessageType::kStorePrepareAck: return "store-prepare-ack";
    case MessageType::kStoreCommit: return "store-commit";
    case MessageType::kStoreCommitAck: return "store-commit-ack";
    case MessageType::kStoreAbortLingering: return "store-abort-lingering";
    case MessageType::kStoreAbortLingeringAck: return "store-abort-lingering-ack";
    case MessageType::kStoreWrite: return "store-write";
    case MessageType::kStoreWriteAck: return "store-write-ack";
  }
  return "unknown-message";
}

RpcMessage encode(MessageType type, const DeployTask& m) {
  ByteWriter w;
  w.put_u64(m.epoch);
  put_task(w, m.task);
  w.put_i64(m.restore_checkpoint);
  put_handle(w, m.restore_state);
  w.put_u32(static_cast<std::uint32_t>(m.placement.size()));
  for (ProcessId p : m.placement) w.put_u32(p);
  return finish(type, std::move(w));
}

Result<DeployTask> decode_deploy_task(const RpcMessage& m) {
  return decode_body<DeployTask>(m, [](ByteReader& r, DeployTask& d) {
    Status s = r.read_u64(d.epoch, "epoch");
    if (s.is_ok()) s = read_task(r, d.task);
    if (s.is_ok()) s = r.read_i64(d.restore_checkpoint, "restore checkpoint");
    if (s.is_ok()) s = read_handle(r, d.restore_state);
    std::uint32_t count = 0;
    if (s.is_ok()) s = r.read_u32(count, "placement length");
    if (s.is_ok() && (count > kMaxListLength || count * 4ULL > r.remaining())) return Status::corruption("placement length out of range");
    for (std::uint32_t i = 0; s.is_ok() && i < count; ++i) {
      ProcessId p = 0;
      s = r.read_u32(p, "placement");
      d.placement.push_back(p);
    }
    return s;
  });
}

RpcMessage encode(MessageType type, const CancelTasks& m) {
  ByteWriter w;
  w.put_u64(m.up_to_epoch);
  return finish(type, std::move(w));
}
Result<CancelTasks> decode_cancel_tasks(const RpcMessage& m) {
  return decode_body<CancelTasks>(m, [](ByteReader& r, CancelTasks& c) { return r.read_u64(c.up_to_epoch, "epoch"); });
}

RpcMessage encode(MessageType type, const CheckpointMessage& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_i64(m.id);
  w.put_i64(m.timestamp_ns);
  w.put_i64(m.latest_completed_id);
  return finish(type, std::move(w));
}
Result<CheckpointMessage> decode_checkpoint_message(const RpcMessage& m) {
  return decode_body<CheckpointMessage>(m, [](ByteReader& r, CheckpointMessage& c) {
    Status s = read_task(r, c.task);
    if (s.is_ok()) s = r.read_i64(c.id, "checkpoint id");
    if (s.is_ok()) s = r.read_i64(c.timestamp_ns, "timestamp");
    if (s.is_ok()) s = r.read_i64(c.latest_completed_id, "latest completed checkpoint id");
    return s;
  });
}

RpcMessage encode(MessageType type, const Heartbeat& m) {
  ByteWriter w;
  w.put_u64(m.sequence);
  w.put_u64(m.epoch);
  w.put_u64(m.instance);
  CKPT_ASSERT(m.tasks.size() <= Heartbeat::kMaxTaskReports, "heartbeat task reports over their bound");
  w.put_u32(static_cast<std::uint32_t>(m.tasks.size()));
  for (const TaskReport& report : m.tasks) {
    put_task(w, report.task);
    w.put_u64(report.epoch);
    w.put_u8(static_cast<std::uint8_t>(report.state));
    w.put_bool(report.source_exhausted);
  }
  return finish(type, std::move(w));
}
Result<Heartbeat> decode_heartbeat(const RpcMessage& m) {
  return decode_body<Heartbeat>(m, [](ByteReader& r, Heartbeat& h) {
    Status s = r.read_u64(h.sequence, "sequence");
    if (s.is_ok()) s = r.read_u64(h.epoch, "epoch");
    if (s.is_ok()) s = r.read_u64(h.instance, "instance");
    std::uint32_t count = 0;
    if (s.is_ok()) s = r.read_u32(count, "task report count");
    if (s.is_ok() && count > Heartbeat::kMaxTaskReports) s = Status::corruption("too many task reports");
    for (std::uint32_t i = 0; s.is_ok() && i < count; ++i) {
      TaskReport report;
      std::uint8_t state = 0;
      s = read_task(r, report.task);
      if (s.is_ok()) s = r.read_u64(report.epoch, "task report epoch");
      if (s.is_ok()) s = r.read_u8(state, "task report state");
      if (s.is_ok() && state > static_cast<std::uint8_t>(TaskReportState::kFailed)) s = Status::corruption("unknown task report state");
      if (s.is_ok()) s = r.read_bool(report.source_exhausted, "task report exhausted flag");
      if (!s.is_ok()) break;
      report.state = static_cast<TaskReportState>(state);
      h.tasks.push_back(report);
    }
    return s;
  });
}

RpcMessage encode(MessageType type, const TaskStatusMessage& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_u64(m.epoch);
  w.put_string(m.detail);
  return finish(type, std::move(w));
}
Result<TaskStatusMessage> decode_task_status(const RpcMessage& m) {
  return decode_body<TaskStatusMessage>(m, [](ByteReader& r, TaskStatusMessage& t) {
    Status s = read_task(r, t.task);
    if (s.is_ok()) s = r.read_u64(t.epoch, "epoch");
    if (s.is_ok()) s = r.read_string(t.detail);
    return s;
  });
}

RpcMessage encode(MessageType type, const AcknowledgeCheckpoint& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_i64(m.id);
  put_handle(w, m.state);
  w.put_i64(m.metrics.alignment_ns);
  w.put_i64(m.metrics.sync_ns);
  w.put_i64(m.metrics.async_ns);
  w.put_u64(m.metrics.state_size_bytes);
  w.put_u64(m.metrics.in_flight_bytes);
  return finish(type, std::move(w));
}
Result<AcknowledgeCheckpoint> decode_acknowledge(const RpcMessage& m) {
  return decode_body<AcknowledgeCheckpoint>(m, [](ByteReader& r, AcknowledgeCheckpoint& a) {
    Status s = read_task(r, a.task);
    if (s.is_ok()) s = r.read_i64(a.id, "checkpoint id");
    if (s.is_ok()) s = read_handle(r, a.state);
    if (s.is_ok()) s = r.read_i64(a.metrics.alignment_ns, "alignment");
    if (s.is_ok()) s = r.read_i64(a.metrics.sync_ns, "sync");
    if (s.is_ok()) s = r.read_i64(a.metrics.async_ns, "async");
    if (s.is_ok()) s = r.read_u64(a.metrics.state_size_bytes, "state size");
    if (s.is_ok()) s = r.read_u64(a.metrics.in_flight_bytes, "in-flight size");
    return s;
  });
}

RpcMessage encode(MessageType type, const DeclineCheckpoint& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_i64(m.id);
  w.put_u32(static_cast<std::uint32_t>(m.reason));
  return finish(type, std::move(w));
}
Result<DeclineCheckpoint> decode_decline(const RpcMessage& m) {
  return decode_body<DeclineCheckpoint>(m, [](ByteReader& r, DeclineCheckpoint& d) {
    Status s = read_task(r, d.task);
    if (s.is_ok()) s = r.read_i64(d.id, "checkpoint id");
    std::uint32_t reason = 0;
    if (s.is_ok()) s = r.read_u32(reason, "reason");
    if (s.is_ok() && reason > static_cast<std::uint32_t>(CheckpointFailureReason::kTaskCheckpointFailure)) {
      return Status::corruption("unknown decline reason " + std::to_string(reason));
    }
    d.reason = static_cast<CheckpointFailureReason>(reason);
    return s;
  });
}

RpcMessage encode(MessageType type, const StoreRequest& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_string(m.transaction);
  w.put_u32(m.sink_subtask);
  w.put_i64(m.checkpoint);
  w.put_u64(m.request_id);
  put_strings(w, m.keep);
  w.put_bytes(m.records);
  return finish(type, std::move(w));
}
Result<StoreRequest> decode_store_request(const RpcMessage& m) {
  return decode_body<StoreRequest>(m, [](ByteReader& r, StoreRequest& q) {
    Status s = read_task(r, q.task);
    if (s.is_ok()) s = r.read_string(q.transaction);
    if (s.is_ok()) s = r.read_u32(q.sink_subtask, "sink subtask");
    if (s.is_ok()) s = r.read_i64(q.checkpoint, "checkpoint id");
    if (s.is_ok()) s = r.read_u64(q.request_id, "request id");
    if (s.is_ok()) s = read_strings(r, q.keep);
    if (s.is_ok()) s = r.read_bytes(q.records);
    return s;
  });
}

RpcMessage encode(MessageType type, const StoreReply& m) {
  ByteWriter w;
  put_task(w, m.task);
  w.put_string(m.transaction);
  w.put_u64(m.request_id);
  w.put_bool(m.ok);
  w.put_string(m.detail);
  return finish(type, std::move(w));
}
Result<StoreReply> decode_store_reply(const RpcMessage& m) {
  return decode_body<StoreReply>(m, [](ByteReader& r, StoreReply& p) {
    Status s = read_task(r, p.task);
    if (s.is_ok()) s = r.read_string(p.transaction);
    if (s.is_ok()) s = r.read_u64(p.request_id, "request id");
    if (s.is_ok()) s = r.read_bool(p.ok);
    if (s.is_ok()) s = r.read_string(p.detail);
    return s;
  });
}

}  // namespace ckptsim
