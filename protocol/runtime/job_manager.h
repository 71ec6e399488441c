// The JobManager: schedules the job, hosts the checkpoint coordinator, detects failures
// and recovers (full-job failover), and finishes the job when all input is committed.
//
// States (explicit):
//   kRecovering  reading durable metadata (completed checkpoints, id counter, epoch)
//   kDeploying   tasks of the current epoch sent out; waiting until all run
//   kRunning     all tasks run; the periodic checkpoint scheduler is on
//   kRestarting  a failure cancelled the epoch; waiting the restart strategy's delay
//   kFinished    every task finished (terminal)
//   kFailed      the restart strategy gave up (terminal)
//
// Failover: a task failure, a lost TaskManager (heartbeat timeout) or a failed deploy
// cancels the whole epoch, aborts pending checkpoints (kJobFailover), and after the
// restart delay deploys epoch+1 restoring every subtask from the latest COMPLETED
// checkpoint; sources rewind to its offsets. Epochs are durable so attempts keep
// increasing across JobManager restarts.
//
// Finishing: when every source has emitted all its input, the job needs one more
// completed checkpoint triggered after that (so 2PC sinks commit the last records);
// then the sources get end-of-input and the end of partition flows to the sinks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "protocol/checkpoint/checkpoint_coordinator.h"
#include "protocol/env/coverage.h"
#include "protocol/env/randomness.h"
#include "protocol/runtime/job_spec.h"
#include "protocol/runtime/messages.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/restart_strategy.h"
#include "protocol/graph/execution_graph.h"

namespace ckptsim {

struct JobManagerServices {
  const Clock& clock;
  Timers& timers;
  RpcTransport& rpc;
  Randomness& randomness;
  BlobStore& blobs;
  const JobSpec& job;
  const ExecutionGraph& graph;
  std::vector<ProcessId> task_managers;
  RuntimeObserver* observer = nullptr;
  CheckpointCoordinatorListener* checkpoint_listener = nullptr;
  CoverageSink* coverage = nullptr;
};

struct JobManagerStats {
  std::uint32_t restarts = 0;
  std::uint32_t failovers = 0;
  std::uint64_t epoch = 0;
};

class JobManager final : private CheckpointTaskGateway, private CheckpointCoordinatorListener {
 public:
  enum class State { kRecovering, kDeploying, kRunning, kRestarting, kFinished, kFailed };
  // Flink's default RPC timeout (akka.ask.timeout / pekko.ask.timeout) for task submission.
  static constexpr DurationNs kDeploymentTimeoutNs = 10 * kSecond;
  // While a checkpoint's metadata write is in flight, deployment waits (bounded).
  static constexpr DurationNs kFinalizationPollNs = 1 * kMillisecond;
  static constexpr std::uint32_t kMaxFinalizationWaits = 60'000;
  // Recovery of the durable checkpoint metadata is retried once per heartbeat interval
  // while storage fails or a read fails its checksum; after this many failed attempts the
  // job fails (a human must look at the checkpoint storage).
  static constexpr std::uint32_t kMaxRecoveryAttempts = 1000;

  explicit JobManager(JobManagerServices services);
  ~JobManager() override;
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  void start();
  void on_rpc(ProcessId from, RpcMessage message);
  State state() const { return state_; }
  const JobManagerStats& stats() const { return stats_; }
  const CheckpointCoordinator& coordinator() const { return *coordinator_; }

 private:
  // CheckpointTaskGateway
  void trigger_checkpoint(TaskRef source_task, CheckpointId id, TimeNs timestamp_ns) override;
  void notify_checkpoint_complete(TaskRef task, CheckpointId id) override;
  void notify_checkpoint_aborted(TaskRef task, CheckpointId id, CheckpointId latest_completed_id) override;
  // CheckpointCoordinatorListener (forwarded to the external listener too)
  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override;
  void on_completed(const CompletedCheckpoint& checkpoint) override;
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override;
  void on_subsumed(CheckpointId id) override;
  void on_request_dropped(CheckpointFailureReason reason) override;

  void recover_coordinator();
  void on_recovered();
  void begin_epoch();
  void fail_job(std::uint32_t failures);   // terminal: FAILED, reported to the observer
  void deploy_epoch();
  std::optional<std::vector<ProcessId>> place_subtasks() const;
  void on_task_status(MessageType type, const RpcMessage& message);
  void apply_task_status(MessageType type, const TaskStatusMessage& status);
  void reconcile_task_reports(ProcessId from, const std::vector<TaskReport>& reports);
  void failover(const std::string& cause);
  void on_all_running();
  void on_all_sources_exhausted();
  void maybe_end_input();
  void send_heartbeats();
  void check_task_managers();
  void on_heartbeat_response(ProcessId from, const RpcMessage& message);
  void send_to_task(const TaskRef& task, RpcMessage message);
  std::vector<TaskRef> current_tasks(bool sources_only) const;
  bool is_current(const TaskRef& task, std::uint64_t epoch) const;

  JobManagerServices services_;
  std::unique_ptr<CheckpointCoordinator> coordinator_;
  RestartStrategy restart_strategy_;
  State state_ = State::kRecovering;
  JobManagerStats stats_;
  std::uint64_t epoch_ = 0;   // the last durable epoch (see begin_epoch)
  std::uint64_t epoch_attempts_ = 0;   // begin_epoch() calls, to ignore a stale store callback
  std::vector<ProcessId> placement_;
  std::set<std::uint32_t> running_;
  std::set<std::uint32_t> finished_;
  std::set<std::uint32_t> exhausted_sources_;
  std::uint32_t source_count_ = 0;
  CheckpointId last_triggered_id_ = kNoCheckpointId;
  std::optional<CheckpointId> final_checkpoint_after_;   // set when all sources are exhausted
  bool end_of_input_sent_ = false;
  std::uint32_t finalization_waits_ = 0;
  std::uint32_t recovery_attempts_ = 0;   // failed checkpoint-metadata recoveries this life
  std::map<ProcessId, TimeNs> last_heartbeat_ns_;
  std::map<ProcessId, std::uint64_t> task_manager_instance_;   // last instance id seen
  std::map<ProcessId, std::uint64_t> deployed_instance_;       // instance the current epoch went to
  std::uint64_t heartbeat_sequence_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

const char* name(JobManager::State state);

}  // namespace ckptsim
