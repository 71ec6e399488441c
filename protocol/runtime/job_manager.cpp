#include "protocol/runtime/job_manager.h"

#include <algorithm>

#include "protocol/base/assert.h"
#include "protocol/state/byte_io.h"

namespace ckptsim {
namespace {

std::function<void()> guard(const std::shared_ptr<bool>& alive, std::function<void()> f) {
  return [token = std::weak_ptr<bool>(alive), f = std::move(f)] {
    if (!token.expired()) f();
  };
}

}  // namespace

const char* name(JobManager::State state) {
  switch (state) {
    case JobManager::State::kRecovering: return "RECOVERING";
    case JobManager::State::kDeploying: return "DEPLOYING";
    case JobManager::State::kRunning: return "RUNNING";
    case JobManager::State::kRestarting: return "RESTARTING";
    case JobManager::State::kFinished: return "FINISHED";
    case JobManager::State::kFailed: return "FAILED";
  }
  return "UNKNOWN";
}

JobManager::JobManager(JobManagerServices services)
    : services_(std::move(services)), restart_strategy_(services_.job.restart) {
  CheckpointCoordinatorEnv env{services_.clock, services_.timers, services_.randomness, services_.blobs, *this, this,
                               [this](CheckpointFailureReason reason) {
                                 failover(std::string("too many failed checkpoints: ") + ckptsim::name(reason));
                               }};
  coordinator_ = std::make_unique<CheckpointCoordinator>(services_.job.checkpointing, std::move(env));
  for (std::uint32_t i = 0; i < services_.graph.subtasks().size(); ++i) {
    if (services_.graph.job().vertex(services_.graph.subtask(i).id.operator_id).kind == OperatorKind::kSource) ++source_count_;
  }
}

JobManager::~JobManager() { *alive_ = false; }

void JobManager::start() {
  const TimeNs now_ns = services_.clock.now_ns();
  for (ProcessId tm : services_.task_managers) last_heartbeat_ns_[tm] = now_ns;
  send_heartbeats();
  recover_coordinator();
}

void JobManager::recover_coordinator() {
  coordinator_->recover([this, token = std::weak_ptr<bool>(alive_)](Result<CoordinatorRecovery> recovery) {
    if (token.expired()) return;
    if (!recovery.is_ok()) {
      // Durable metadata unreadable right now (storage fault, a read failing its
      // checksum): retry, as Flink's JobMaster retries recovery from its HA services.
      cover(services_.coverage, coverage::kRecoveryRetried);
      if (++recovery_attempts_ >= kMaxRecoveryAttempts) {
        fail_job(0);
        return;
      }
      services_.timers.schedule_after(services_.job.cluster.heartbeat_interval_ns,
                                      guard(alive_, [this] { recover_coordinator(); }));
      return;
    }
    on_recovered();
  });
}

void JobManager::on_recovered() {
  const std::string epoch_blob = services_.job.checkpointing.job_id + "/jm-epoch";
  services_.blobs.get(epoch_blob, [this, token = std::weak_ptr<bool>(alive_)](Result<Bytes> bytes) {
    if (token.expired()) return;
    // Absent: a new job, epoch 0. Any other failure must not be taken for "absent": an
    // epoch below the TaskManagers' would make them ignore every deployment.
    Status status = bytes.is_ok() ? Status::ok() : bytes.status();
    if (bytes.is_ok()) {
      ByteReader r(bytes.value());
      std::uint64_t stored = 0;
      status = r.read_u64(stored, "epoch");
      if (status.is_ok()) status = r.expect_end("job epoch");
      if (status.is_ok()) epoch_ = stored;
    }
    if (!status.is_ok() && status.code() != StatusCode::kNotFound) {
      cover(services_.coverage, coverage::kRecoveryRetried);
      if (++recovery_attempts_ >= kMaxRecoveryAttempts) {
        fail_job(0);
        return;
      }
      services_.timers.schedule_after(services_.job.cluster.heartbeat_interval_ns, guard(alive_, [this] { on_recovered(); }));
      return;
    }
    begin_epoch();
  });
}

void JobManager::fail_job(std::uint32_t failures) {
  state_ = State::kFailed;
  if (services_.observer != nullptr) services_.observer->on_job_failed(failures);
}

void JobManager::begin_epoch() {
  // Invariant: every epoch number a TaskManager ever sees (deployments, cancellations) is
  // durable first. The next epoch is adopted only once it is stored; if storing fails,
  // epoch_ stays the last durable one. (Sending an epoch that a later JobManager does not
  // find would make the TaskManagers ignore that JobManager's lower epochs as stale.)
  const std::uint64_t next_epoch = epoch_ + 1;
  const std::uint64_t attempt = ++epoch_attempts_;
  state_ = State::kDeploying;
  // Nothing of the next epoch is deployed until deploy_epoch(): the previous epoch's
  // placement must not be checked meanwhile (its heartbeats and instances would fail this
  // epoch over before it starts, again and again when the restart delay equals the
  // heartbeat interval).
  placement_.clear();
  deployed_instance_.clear();
  running_.clear();
  finished_.clear();
  exhausted_sources_.clear();
  final_checkpoint_after_.reset();
  end_of_input_sent_ = false;
  ByteWriter w;
  w.put_u64(next_epoch);
  services_.blobs.put(services_.job.checkpointing.job_id + "/jm-epoch", std::move(w).take(),
                      [this, attempt, next_epoch, token = std::weak_ptr<bool>(alive_)](Status status) {
                        if (token.expired() || attempt != epoch_attempts_ || state_ != State::kDeploying) return;
                        if (!status.is_ok()) {
                          failover("could not persist the job epoch: " + status.message());
                          return;
                        }
                        epoch_ = next_epoch;
                        stats_.epoch = epoch_;
                        deploy_epoch();
                      });
}

std::optional<std::vector<ProcessId>> JobManager::place_subtasks() const {
  const TimeNs now_ns = services_.clock.now_ns();
  std::vector<ProcessId> alive;
  for (ProcessId tm : services_.task_managers) {
    // Only TaskManagers that answered a heartbeat recently, so their instance is known
    // (like Flink, which only offers slots of registered TaskManagers).
    auto it = last_heartbeat_ns_.find(tm);
    const bool recent = it != last_heartbeat_ns_.end() && now_ns - it->second <= services_.job.cluster.heartbeat_timeout_ns;
    if (recent && task_manager_instance_.contains(tm)) alive.push_back(tm);
  }
  const std::size_t subtasks = services_.graph.subtasks().size();
  if (alive.empty() || alive.size() * services_.job.cluster.slots_per_task_manager < subtasks) return std::nullopt;
  std::vector<ProcessId> placement(subtasks);
  for (std::size_t i = 0; i < subtasks; ++i) placement[i] = alive[i % alive.size()];
  return placement;
}

void JobManager::deploy_epoch() {
  if (coordinator_->has_finalizing_checkpoint()) {
    // Its metadata write decides whether it becomes the checkpoint to restore: wait.
    if (++finalization_waits_ > kMaxFinalizationWaits) {
      failover("checkpoint metadata write did not finish");
      return;
    }
    const std::uint64_t attempt = epoch_attempts_;
    services_.timers.schedule_after(kFinalizationPollNs, guard(alive_, [this, attempt] {
      if (state_ == State::kDeploying && epoch_attempts_ == attempt) deploy_epoch();
    }));
    return;
  }
  finalization_waits_ = 0;
  std::optional<std::vector<ProcessId>> placement = place_subtasks();
  if (!placement) {
    failover("not enough task slots");
    return;
  }
  placement_ = std::move(*placement);
  deployed_instance_.clear();
  for (ProcessId tm : placement_) deployed_instance_[tm] = task_manager_instance_.at(tm);
  const CompletedCheckpoint* restore = coordinator_->latest_completed();
  if (services_.observer != nullptr) {
    services_.observer->on_job_restore(restore ? restore->id : kNoCheckpointId, static_cast<std::uint32_t>(epoch_));
  }
  for (std::uint32_t subtask = 0; subtask < placement_.size(); ++subtask) {
    DeployTask deploy;
    deploy.epoch = epoch_;
    deploy.task = TaskRef{subtask, static_cast<std::uint32_t>(epoch_)};
    deploy.placement = placement_;
    if (restore != nullptr) {
      deploy.restore_checkpoint = restore->id;
      auto state = restore->states.find(subtask);
      if (state != restore->states.end()) deploy.restore_state = state->second;
    }
    (void)services_.rpc.send(placement_[subtask], encode(MessageType::kDeployTask, deploy));
  }
  // Deploy messages or their answers can be lost with a TaskManager: like Flink's RPC
  // timeout on task submission, a deployment that does not come up in time fails over.
  const std::uint64_t attempt = epoch_attempts_;
  services_.timers.schedule_after(kDeploymentTimeoutNs, guard(alive_, [this, attempt] {
    if (state_ != State::kDeploying || epoch_attempts_ != attempt) return;
    cover(services_.coverage, coverage::kDeploymentTimedOut);
    failover("deployment timed out");
  }));
}

bool JobManager::is_current(const TaskRef& task, std::uint64_t epoch) const {
  return epoch == epoch_ && task.attempt == epoch_ && task.subtask < placement_.size();
}

std::vector<TaskRef> JobManager::current_tasks(bool sources_only) const {
  std::vector<TaskRef> tasks;
  for (std::uint32_t subtask = 0; subtask < placement_.size(); ++subtask) {
    const OperatorKind kind = services_.graph.job().vertex(services_.graph.subtask(subtask).id.operator_id).kind;
    if (!sources_only || kind == OperatorKind::kSource) tasks.push_back(TaskRef{subtask, static_cast<std::uint32_t>(epoch_)});
  }
  return tasks;
}

void JobManager::on_rpc(ProcessId from, RpcMessage message) {
  const auto type = static_cast<MessageType>(message.type);
  switch (type) {
    case MessageType::kHeartbeatResponse:
      on_heartbeat_response(from, message);
      return;
    case MessageType::kTaskRunning:
    case MessageType::kTaskFailed:
    case MessageType::kTaskFinished:
    case MessageType::kSourceExhausted:
      on_task_status(type, message);
      return;
    case MessageType::kAcknowledgeCheckpoint: {
      Result<AcknowledgeCheckpoint> ack = decode_acknowledge(message);
      if (ack.is_ok()) {
        AcknowledgeCheckpoint& a = ack.value();
        const TaskAcknowledgeResult result = coordinator_->receive_acknowledge(a.task, a.id, std::move(a.state), a.metrics);
        if (result == TaskAcknowledgeResult::kDiscarded) cover(services_.coverage, coverage::kAckDiscarded);
        if (result == TaskAcknowledgeResult::kUnknown) cover(services_.coverage, coverage::kAckUnknown);
      }
      return;
    }
    case MessageType::kDeclineCheckpoint: {
      Result<DeclineCheckpoint> decline = decode_decline(message);
      if (decline.is_ok()) (void)coordinator_->receive_decline(decline.value().task, decline.value().id, decline.value().reason);
      return;
    }
    default:
      return;
  }
}

void JobManager::on_task_status(MessageType type, const RpcMessage& message) {
  Result<TaskStatusMessage> decoded = decode_task_status(message);
  if (!decoded.is_ok()) return;
  apply_task_status(type, decoded.value());
}

void JobManager::reconcile_task_reports(ProcessId from, const std::vector<TaskReport>& reports) {
  // Every transition below is idempotent, so applying a state the one-shot status
  // message already delivered changes nothing; only what was lost takes effect.
  for (const TaskReport& report : reports) {
    if (!is_current(report.task, report.epoch)) continue;
    if (report.task.subtask >= placement_.size() || placement_[report.task.subtask] != from) continue;
    if (report.state == TaskReportState::kFailed) {
      if (state_ == State::kDeploying || state_ == State::kRunning) cover(services_.coverage, coverage::kTaskFailureResent);
      apply_task_status(MessageType::kTaskFailed, TaskStatusMessage{report.task, report.epoch, "reported by heartbeat"});
      return;  // the failover cancelled the epoch; the other reports are stale now
    }
    if (report.state == TaskReportState::kRunning || report.state == TaskReportState::kFinished) {
      apply_task_status(MessageType::kTaskRunning, TaskStatusMessage{report.task, report.epoch, ""});
    }
    if (report.source_exhausted) {
      apply_task_status(MessageType::kSourceExhausted, TaskStatusMessage{report.task, report.epoch, ""});
    }
    if (report.state == TaskReportState::kFinished) {
      apply_task_status(MessageType::kTaskFinished, TaskStatusMessage{report.task, report.epoch, ""});
    }
  }
}

void JobManager::apply_task_status(MessageType type, const TaskStatusMessage& status) {
  if (!is_current(status.task, status.epoch)) return;  // a previous epoch's task
  switch (type) {
    case MessageType::kTaskRunning:
      running_.insert(status.task.subtask);
      if (state_ == State::kDeploying && running_.size() == placement_.size()) on_all_running();
      return;
    case MessageType::kTaskFailed:
      failover("task " + to_string(status.task) + " failed: " + status.detail);
      return;
    case MessageType::kSourceExhausted:
      if (!exhausted_sources_.insert(status.task.subtask).second) return;
      if (exhausted_sources_.size() == source_count_) on_all_sources_exhausted();
      return;
    case MessageType::kTaskFinished:
      if (finished_.contains(status.task.subtask)) return;
      finished_.insert(status.task.subtask);
      if (finished_.size() == placement_.size() && state_ == State::kRunning) {
        state_ = State::kFinished;
        coordinator_->stop_periodic_scheduler();
        // No task uploads any more: what no retained checkpoint refers to is garbage
        // (uploads of tasks that crashed before their ack arrived).
        if (services_.job.checkpointing.incremental) coordinator_->sweep_orphaned_state();
        if (services_.observer != nullptr) services_.observer->on_job_finished();
      }
      return;
    default:
      return;
  }
}

void JobManager::on_all_running() {
  state_ = State::kRunning;
  coordinator_->set_tasks(current_tasks(true), current_tasks(false));
  if (services_.job.checkpointing_enabled && services_.job.checkpointing.interval_ns > 0) {
    coordinator_->start_periodic_scheduler();
  }
  if (exhausted_sources_.size() == source_count_) on_all_sources_exhausted();
}

void JobManager::on_all_sources_exhausted() {
  if (state_ != State::kRunning) return;  // handled again once everything runs
  const bool needs_final_checkpoint =
      services_.job.checkpointing_enabled && services_.job.sink_guarantee == SinkGuarantee::kExactlyOnce;
  if (!needs_final_checkpoint) {
    maybe_end_input();
    return;
  }
  if (!final_checkpoint_after_) {
    final_checkpoint_after_ = last_triggered_id_;
    coordinator_->trigger_checkpoint_as_periodic();
  }
}

void JobManager::maybe_end_input() {
  if (end_of_input_sent_ || state_ != State::kRunning) return;
  end_of_input_sent_ = true;
  for (const TaskRef& source : current_tasks(true)) {
    send_to_task(source, encode(MessageType::kEndOfInput, TaskStatusMessage{source, epoch_, ""}));
  }
}

void JobManager::failover(const std::string& cause) {
  if (state_ != State::kDeploying && state_ != State::kRunning) return;
  (void)cause;
  ++stats_.failovers;
  if (coordinator_->has_finalizing_checkpoint()) cover(services_.coverage, coverage::kFailoverWhileFinalizing);
  coordinator_->clear_tasks();
  coordinator_->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
  coordinator_->stop_periodic_scheduler();
  for (ProcessId tm : services_.task_managers) {
    (void)services_.rpc.send(tm, encode(MessageType::kCancelTasks, CancelTasks{epoch_}));
  }
  const std::optional<DurationNs> delay_ns = restart_strategy_.on_failure(services_.clock.now_ns());
  if (!delay_ns) {
    cover(services_.coverage, coverage::kRestartStrategyGaveUp);
    fail_job(restart_strategy_.restarts() + 1);  // the restarts granted, then this failure
    return;
  }
  state_ = State::kRestarting;
  ++stats_.restarts;
  services_.timers.schedule_after(*delay_ns, guard(alive_, [this] {
    if (state_ == State::kRestarting) begin_epoch();
  }));
}

void JobManager::on_heartbeat_response(ProcessId from, const RpcMessage& message) {
  Result<Heartbeat> beat = decode_heartbeat(message);
  if (!beat.is_ok()) return;
  last_heartbeat_ns_[from] = services_.clock.now_ns();
  task_manager_instance_[from] = beat.value().instance;
  // Another instance than the one the current epoch was deployed to: the TaskManager
  // restarted and whatever we deployed there is gone.
  auto deployed = deployed_instance_.find(from);
  if (deployed != deployed_instance_.end() && deployed->second != beat.value().instance) {
    cover(services_.coverage, coverage::kTaskManagerRestartDetected);
    failover("task manager " + std::to_string(from) + " restarted");
    return;
  }
  reconcile_task_reports(from, beat.value().tasks);
}

void JobManager::send_heartbeats() {
  Heartbeat beat;
  beat.sequence = ++heartbeat_sequence_;
  beat.epoch = epoch_;
  for (ProcessId tm : services_.task_managers) (void)services_.rpc.send(tm, encode(MessageType::kHeartbeatRequest, beat));
  check_task_managers();
  services_.timers.schedule_after(services_.job.cluster.heartbeat_interval_ns, guard(alive_, [this] { send_heartbeats(); }));
}

void JobManager::check_task_managers() {
  if (state_ != State::kRunning && state_ != State::kDeploying) return;
  const TimeNs now_ns = services_.clock.now_ns();
  for (ProcessId tm : placement_) {
    if (now_ns - last_heartbeat_ns_[tm] > services_.job.cluster.heartbeat_timeout_ns) {
      failover("task manager " + std::to_string(tm) + " lost (heartbeat timeout)");
      return;
    }
  }
}

void JobManager::send_to_task(const TaskRef& task, RpcMessage message) {
  if (task.attempt != epoch_ || task.subtask >= placement_.size()) return;  // not deployed now
  (void)services_.rpc.send(placement_[task.subtask], std::move(message));
}

void JobManager::trigger_checkpoint(TaskRef source_task, CheckpointId id, TimeNs timestamp_ns) {
  send_to_task(source_task, encode(MessageType::kTriggerCheckpoint, CheckpointMessage{source_task, id, timestamp_ns}));
}
void JobManager::notify_checkpoint_complete(TaskRef task, CheckpointId id) {
  send_to_task(task, encode(MessageType::kNotifyCheckpointComplete, CheckpointMessage{task, id, 0}));
}
void JobManager::notify_checkpoint_aborted(TaskRef task, CheckpointId id, CheckpointId latest_completed_id) {
  send_to_task(task,
               encode(MessageType::kNotifyCheckpointAborted, CheckpointMessage{task, id, 0, latest_completed_id}));
}

void JobManager::on_triggered(CheckpointId id, TimeNs trigger_time_ns) {
  last_triggered_id_ = id;
  if (services_.checkpoint_listener != nullptr) services_.checkpoint_listener->on_triggered(id, trigger_time_ns);
}
void JobManager::on_completed(const CompletedCheckpoint& checkpoint) {
  if (services_.checkpoint_listener != nullptr) services_.checkpoint_listener->on_completed(checkpoint);
  if (final_checkpoint_after_ && checkpoint.id > *final_checkpoint_after_) maybe_end_input();
}
void JobManager::on_aborted(CheckpointId id, CheckpointFailureReason reason) {
  if (reason == CheckpointFailureReason::kCheckpointExpired) cover(services_.coverage, coverage::kCheckpointExpired);
  if (reason == CheckpointFailureReason::kCheckpointSubsumed) cover(services_.coverage, coverage::kCheckpointSubsumedPending);
  if (services_.checkpoint_listener != nullptr) services_.checkpoint_listener->on_aborted(id, reason);
  // The final checkpoint failed: ask for another (the periodic scheduler may be off).
  if (final_checkpoint_after_ && !end_of_input_sent_ && state_ == State::kRunning && coordinator_->num_pending() == 0) {
    services_.timers.schedule_after(services_.job.checkpointing.min_pause_ns, guard(alive_, [this] {
      if (state_ != State::kRunning || end_of_input_sent_) return;
      cover(services_.coverage, coverage::kFinalCheckpointRetried);
      coordinator_->trigger_checkpoint_as_periodic();
    }));
  }
}
void JobManager::on_subsumed(CheckpointId id) {
  if (services_.checkpoint_listener != nullptr) services_.checkpoint_listener->on_subsumed(id);
}
void JobManager::on_request_dropped(CheckpointFailureReason reason) {
  if (services_.checkpoint_listener != nullptr) services_.checkpoint_listener->on_request_dropped(reason);
}

}  // namespace ckptsim
