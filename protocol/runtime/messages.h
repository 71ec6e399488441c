// The RPC messages of the runtime and their wire format.
//
// JobManager <-> TaskManager: deploy, cancel, trigger, notify, heartbeats, task status,
// acknowledge, decline. Sink <-> external transactional store: prepare, commit, abort
// lingering transactions, at-least-once writes. Every message is encoded with
// ByteWriter (little-endian, length-prefixed strings) behind its MessageType in
// RpcMessage::type; decoding a malformed body returns kCorruption, never garbage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/env/transport.h"

namespace ckptsim {

enum class MessageType : std::uint32_t {
  // JobManager -> TaskManager
  kDeployTask = 1,
  kCancelTasks = 2,
  kTriggerCheckpoint = 3,
  kNotifyCheckpointComplete = 4,
  kNotifyCheckpointAborted = 5,
  kHeartbeatRequest = 6,
  kEndOfInput = 7,
  // TaskManager -> JobManager
  kHeartbeatResponse = 20,
  kTaskRunning = 21,
  kTaskFailed = 22,
  kTaskFinished = 23,
  kAcknowledgeCheckpoint = 24,
  kDeclineCheckpoint = 25,
  kSourceExhausted = 26,
  // sink <-> transactional store
  kStorePrepare = 40,
  kStorePrepareAck = 41,
  kStoreCommit = 42,
  kStoreCommitAck = 43,
  kStoreAbortLingering = 44,
  kStoreAbortLingeringAck = 45,
  kStoreWrite = 46,
  kStoreWriteAck = 47,
};

const char* message_type_name(std::uint32_t type);

struct DeployTask {
  std::uint64_t epoch = 0;
  TaskRef task;
  CheckpointId restore_checkpoint = kNoCheckpointId;   // kNoCheckpointId: start empty
  SubtaskStateHandle restore_state;
  std::vector<ProcessId> placement;                    // TaskManager process of every subtask
};

struct CancelTasks {
  std::uint64_t up_to_epoch = 0;  // cancel every task deployed with epoch <= this
};

struct CheckpointMessage {        // trigger, notify-complete, notify-aborted
  TaskRef task;
  CheckpointId id = kNoCheckpointId;
  TimeNs timestamp_ns = 0;
  CheckpointId latest_completed_id = kNoCheckpointId;  // notify-aborted only
};

// What a TaskManager's heartbeat response says about one of its tasks. Status messages
// are one-shot RPCs and may be lost; the heartbeat repeats the task's state until the
// JobManager cancels the task, so a lost "failed" or "finished" is reconciled (Flink's
// TaskExecutor reports its deployed executions with every heartbeat, too).
enum class TaskReportState : std::uint8_t { kRestoring = 0, kRunning = 1, kFinished = 2, kFailed = 3 };

struct TaskReport {
  TaskRef task;
  std::uint64_t epoch = 0;
  TaskReportState state = TaskReportState::kRestoring;
  bool source_exhausted = false;
};

struct Heartbeat {
  std::uint64_t sequence = 0;
  std::uint64_t epoch = 0;
  std::uint64_t instance = 0;   // responses: the TaskManager instance (changes at every restart)
  std::vector<TaskReport> tasks;  // responses: every task the TaskManager holds, by subtask
  static constexpr std::uint32_t kMaxTaskReports = 1u << 16;
};

struct TaskStatusMessage {        // running, failed, finished, source exhausted, end of input
  TaskRef task;
  std::uint64_t epoch = 0;
  std::string detail;
};

struct AcknowledgeCheckpoint {
  TaskRef task;
  CheckpointId id = kNoCheckpointId;
  SubtaskStateHandle state;
  SubtaskCheckpointMetrics metrics;
};

struct DeclineCheckpoint {
  TaskRef task;
  CheckpointId id = kNoCheckpointId;
  CheckpointFailureReason reason = CheckpointFailureReason::kCheckpointDeclined;
};

struct StoreRequest {             // prepare, commit, write, abort-lingering
  TaskRef task;                   // who asks (replies are routed back to it)
  std::string transaction;        // prepare/commit: the transaction; abort-lingering: the name prefix
  std::uint32_t sink_subtask = 0;
  CheckpointId checkpoint = kNoCheckpointId;
  std::uint64_t request_id = 0;   // write id for at-least-once writes
  std::vector<std::string> keep;  // abort-lingering: prepared transactions to keep
  std::vector<std::uint8_t> records;  // record_codec bytes
};

struct StoreReply {
  TaskRef task;
  std::string transaction;
  std::uint64_t request_id = 0;
  bool ok = true;
  std::string detail;
};

RpcMessage encode(MessageType type, const DeployTask& m);
RpcMessage encode(MessageType type, const CancelTasks& m);
RpcMessage encode(MessageType type, const CheckpointMessage& m);
RpcMessage encode(MessageType type, const Heartbeat& m);
RpcMessage encode(MessageType type, const TaskStatusMessage& m);
RpcMessage encode(MessageType type, const AcknowledgeCheckpoint& m);
RpcMessage encode(MessageType type, const DeclineCheckpoint& m);
RpcMessage encode(MessageType type, const StoreRequest& m);
RpcMessage encode(MessageType type, const StoreReply& m);

Result<DeployTask> decode_deploy_task(const RpcMessage& m);
Result<CancelTasks> decode_cancel_tasks(const RpcMessage& m);
Result<CheckpointMessage> decode_checkpoint_message(const RpcMessage& m);
Result<Heartbeat> decode_heartbeat(const RpcMessage& m);
Result<TaskStatusMessage> decode_task_status(const RpcMessage& m);
Result<AcknowledgeCheckpoint> decode_acknowledge(const RpcMessage& m);
Result<DeclineCheckpoint> decode_decline(const RpcMessage& m);
Result<StoreRequest> decode_store_request(const RpcMessage& m);
Result<StoreReply> decode_store_reply(const RpcMessage& m);

}  // namespace ckptsim
