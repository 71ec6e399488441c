// One subtask of the job, running on a TaskManager: Flink's StreamTask in miniature.
//
// Lifecycle (explicit states):
//   kRestoring -> kRunning -> kFinishing -> kFinished
//   any -> kFailed (reported to the JobManager), any -> kCanceled (destroyed by its TM)
//
// Running:
//  * A source emits the records of its partitions as they become available (input log
//    rate), a batch per step; each step keeps the task busy for batch x cost-per-record.
//  * Other tasks take one buffer per step from the next unblocked input channel
//    (round-robin), process its records, and stay busy for records x cost.
//  * Nothing is processed while the output is backpressured (no credit downstream).
//  * Barriers go through the barrier handler (aligned exactly-once or at-least-once).
// Incremental checkpoints (execution.checkpointing.incremental with a RocksDB backend,
// for operators whose whole state is keyed): the synchronous phase takes a local
// RocksDB checkpoint, the asynchronous phase uploads only the SST files not uploaded
// before plus one private blob (RocksDbTaskSnapshots), and the ack names the shared
// files; restore downloads them into a fresh local directory.
// Checkpointing: on trigger (sources) or alignment (others), the synchronous phase
// captures the operator state (and the sink pre-commits), the barrier is broadcast
// downstream right after it (no record in between), then the asynchronous phase
// uploads the bytes to the blob store; when the upload and any store confirmation are
// done the task acknowledges to the JobManager. A failed upload declines the checkpoint
// (CHECKPOINT_ASYNC_EXCEPTION); a state that cannot be captured in the synchronous phase
// fails the task, as in Flink, so a broken state backend is replaced at the failover.
// Finishing: a source that has emitted all its input reports it and waits for the
// JobManager's end-of-input; then end-of-partition flows downstream; a task whose
// inputs all ended forwards it; a sink finishes once nothing is left uncommitted.
//
// Every callback a task hands out (timers, channel listeners, blob completions) is
// guarded by a liveness token, so nothing runs into a destroyed task.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/env/blob_store.h"
#include "protocol/env/clock.h"
#include "protocol/env/coverage.h"
#include "protocol/env/data_plane.h"
#include "protocol/env/source_log.h"
#include "protocol/env/transport.h"
#include "protocol/graph/execution_graph.h"
#include "protocol/runtime/barrier_handler.h"
#include "protocol/runtime/job_spec.h"
#include "protocol/runtime/messages.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/operators.h"
#include "protocol/runtime/output_gate.h"
#include "protocol/runtime/sinks.h"
#include "protocol/state/rocksdb_task_snapshots.h"

namespace ckptsim {

// Creates the keyed state backend of a stateful operator subtask (state.backend.type).
// `task_label` names the subtask ("<operator>-<subtask index>") for the backend's files.
using KeyedStateBackendFactory = std::function<std::unique_ptr<KeyedStateBackend>(
    const std::string& task_label, std::uint32_t max_parallelism, KeyGroupRange range)>;

// What a TaskManager gives each of its tasks.
struct TaskServices {
  const Clock& clock;
  Timers& timers;
  RpcTransport& rpc;
  BlobStore& blobs;
  DataPlane& data_plane;
  const SourceLog& source_log;
  const JobSpec& job;
  const ExecutionGraph& graph;
  ProcessId self = kNoProcess;
  ProcessId job_manager = kNoProcess;
  ProcessId sink_store = kNoProcess;
  RuntimeObserver* observer = nullptr;
  CoverageSink* coverage = nullptr;
  const KeyedStateBackendFactory* state_backends = nullptr;  // not owned; null: in-memory backend
};

class StreamTask {
 public:
  enum class State { kRestoring, kRunning, kFinishing, kFinished, kFailed };

  StreamTask(TaskServices services, DeployTask deployment);
  ~StreamTask();
  StreamTask(const StreamTask&) = delete;
  StreamTask& operator=(const StreamTask&) = delete;

  // Connects channels and starts restoring; failures are reported, not thrown.
  void start();
  void trigger_checkpoint(CheckpointId id, TimeNs timestamp_ns);
  void notify_checkpoint_complete(CheckpointId id);
  // `latest_completed_id` (or kNoCheckpointId): the latest completed checkpoint, handled
  // as a notify-complete in case that notification was lost.
  void notify_checkpoint_aborted(CheckpointId id, CheckpointId latest_completed_id);
  void end_of_input();
  void on_store_reply(MessageType type, const StoreReply& reply);

  State state() const { return state_; }
  bool source_exhausted() const { return exhausted_reported_; }
  const TaskRef& ref() const { return deployment_.task; }
  std::uint64_t epoch() const { return deployment_.epoch; }

 private:
  struct AsyncCheckpoint {
    Bytes bytes;
    std::vector<SnapshotUpload> uploads;  // incremental: new shared blobs, then the private one
    std::size_t uploads_outstanding = 0;
    SubtaskStateHandle handle;
    SubtaskCheckpointMetrics metrics;
    TimeNs async_start_ns = 0;
    bool uploaded = false;
  };

  // setup (stream_task.cpp)
  Status connect_channels();
  void create_operator();
  void begin_restore();
  void finish_restore(const std::vector<Bytes>& snapshots);
  void complete_restore(std::uint64_t restored_bytes);
  void restore_incremental(const Bytes& private_blob);
  void fetch_shared_blobs(std::shared_ptr<TaskSnapshotContents> contents,
                          std::shared_ptr<std::map<std::string, Bytes>> fetched, std::size_t next);
  void become_running();
  // processing loop
  void schedule_step(DurationNs delay_ns);
  void step();
  void source_step();
  bool input_step();
  void handle_buffer(std::uint32_t channel, NetworkBuffer buffer);
  void process_records(const NetworkBuffer& buffer);
  void on_input_ended(std::uint32_t channel);
  void maybe_finish();
  void fail(const std::string& reason);
  void arm_flush_timer();
  void flush_after_step_if_always();
  std::unique_ptr<KeyedStateBackend> make_keyed_state_backend() const;
  // checkpointing (stream_task_checkpoint.cpp)
  void apply_barrier_actions();
  void perform_checkpoint(CheckpointId id, DurationNs alignment_ns);
  Result<Bytes> capture_state(CheckpointId id);
  Status capture_incremental(CheckpointId id, AsyncCheckpoint& pending);
  void fail_sync_phase(CheckpointId id, const Status& status);
  void start_upload(CheckpointId id);
  void start_incremental_upload(CheckpointId id, AsyncCheckpoint& pending);
  void on_upload_done(CheckpointId id, const Status& status);
  void maybe_acknowledge(CheckpointId id);
  void decline(CheckpointId id, CheckpointFailureReason reason);
  OperatorStateView state_view() const;
  std::string blob_name(CheckpointId id) const;
  void send_status(MessageType type, const std::string& detail);
  // Wraps a callback so it does nothing once this task is destroyed.
  template <typename F>
  std::function<void()> guarded(F f) {
    return [token = std::weak_ptr<bool>(alive_), f = std::move(f)]() mutable {
      if (!token.expired()) f();
    };
  }

  TaskServices services_;
  DeployTask deployment_;
  const ExecutionSubtask& subtask_;
  const JobVertex& vertex_;
  OperatorParams params_;
  State state_ = State::kRestoring;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  // inputs
  std::vector<ChannelId> inputs_;           // flattened input gates
  std::vector<bool> input_ended_;
  std::uint32_t inputs_ended_count_ = 0;
  std::uint32_t next_input_ = 0;
  std::unique_ptr<BarrierHandler> barriers_;
  std::vector<BarrierAction> actions_;
  // outputs and operator
  std::unique_ptr<OutputGate> output_;
  std::unique_ptr<StreamOperator> operator_;
  std::unique_ptr<SinkWriter> sink_;
  std::unique_ptr<RocksDbTaskSnapshots> incremental_;  // set for incremental RocksDB checkpoints
  // source
  std::vector<std::uint32_t> partitions_;
  std::vector<std::uint64_t> next_offsets_;
  std::uint32_t next_partition_ = 0;
  bool exhausted_reported_ = false;
  bool end_of_input_received_ = false;
  // scheduling
  bool step_scheduled_ = false;
  TimeNs busy_until_ns_ = 0;
  TimerId flush_timer_ = kNoTimer;
  // checkpoints in their asynchronous phase
  std::map<CheckpointId, AsyncCheckpoint> async_;
};

}  // namespace ckptsim
