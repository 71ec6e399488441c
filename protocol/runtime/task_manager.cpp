#include "protocol/runtime/task_manager.h"

namespace ckptsim {

TaskManager::TaskManager(TaskServices services) : services_(services) {
  last_job_manager_contact_ns_ = services_.clock.now_ns();
  // The boot time identifies the instance: a process boots at most once per instant.
  instance_ = static_cast<std::uint64_t>(services_.clock.now_ns()) + 1;
  arm_job_manager_watchdog();
}

TaskManager::~TaskManager() {
  if (watchdog_ != kNoTimer) services_.timers.cancel(watchdog_);
}

void TaskManager::arm_job_manager_watchdog() {
  watchdog_ = services_.timers.schedule_after(services_.job.cluster.heartbeat_interval_ns, [this] {
    watchdog_ = kNoTimer;
    const TimeNs now_ns = services_.clock.now_ns();
    if (!tasks_.empty() && now_ns - last_job_manager_contact_ns_ > services_.job.cluster.heartbeat_timeout_ns) {
      // The JobManager is gone: like Flink, release every task; a new leader redeploys.
      cover(services_.coverage, coverage::kJobManagerLostByTaskManager);
      tasks_.clear();
    }
    arm_job_manager_watchdog();
  });
}

std::vector<TaskReport> TaskManager::task_reports() const {
  std::vector<TaskReport> reports;
  reports.reserve(tasks_.size());
  for (const auto& [subtask, task] : tasks_) {
    TaskReport report{task->ref(), task->epoch(), TaskReportState::kRestoring, task->source_exhausted()};
    switch (task->state()) {
      case StreamTask::State::kRestoring: report.state = TaskReportState::kRestoring; break;
      case StreamTask::State::kRunning:
      case StreamTask::State::kFinishing: report.state = TaskReportState::kRunning; break;
      case StreamTask::State::kFinished: report.state = TaskReportState::kFinished; break;
      case StreamTask::State::kFailed: report.state = TaskReportState::kFailed; break;
    }
    reports.push_back(report);
  }
  return reports;
}

StreamTask* TaskManager::find(const TaskRef& task) {
  auto it = tasks_.find(task.subtask);
  if (it == tasks_.end() || it->second->ref().attempt != task.attempt) return nullptr;
  return it->second.get();
}

void TaskManager::on_rpc(ProcessId from, RpcMessage message) {
  const auto type = static_cast<MessageType>(message.type);
  if (from == services_.job_manager) last_job_manager_contact_ns_ = services_.clock.now_ns();
  switch (type) {
    case MessageType::kDeployTask:
      deploy(message);
      return;
    case MessageType::kCancelTasks: {
      Result<CancelTasks> cancel = decode_cancel_tasks(message);
      if (cancel.is_ok()) cancel_up_to(cancel.value().up_to_epoch);
      return;
    }
    case MessageType::kHeartbeatRequest: {
      Result<Heartbeat> beat = decode_heartbeat(message);
      if (beat.is_ok()) {
        Heartbeat response = beat.value();
        response.instance = instance_;
        response.tasks = task_reports();
        (void)services_.rpc.send(from, encode(MessageType::kHeartbeatResponse, response));
      }
      return;
    }
    case MessageType::kTriggerCheckpoint:
    case MessageType::kNotifyCheckpointComplete:
    case MessageType::kNotifyCheckpointAborted:
    case MessageType::kEndOfInput:
      route_checkpoint_message(type, message);
      return;
    case MessageType::kStorePrepareAck:
    case MessageType::kStoreCommitAck:
    case MessageType::kStoreAbortLingeringAck:
    case MessageType::kStoreWriteAck:
      route_store_reply(type, message);
      return;
    default:
      return;  // not for a TaskManager
  }
}

void TaskManager::deploy(const RpcMessage& message) {
  Result<DeployTask> deployment = decode_deploy_task(message);
  if (!deployment.is_ok()) return;
  DeployTask& d = deployment.value();
  if (d.epoch <= highest_cancelled_epoch_ || d.task.subtask >= services_.graph.subtasks().size()) return;
  auto existing = tasks_.find(d.task.subtask);
  if (existing != tasks_.end()) {
    if (existing->second->epoch() >= d.epoch) return;  // duplicate or stale deployment
    tasks_.erase(existing);
  }
  auto task = std::make_unique<StreamTask>(services_, std::move(d));
  StreamTask* started = task.get();
  tasks_[started->ref().subtask] = std::move(task);
  started->start();
}

void TaskManager::cancel_up_to(std::uint64_t epoch) {
  if (epoch > highest_cancelled_epoch_) highest_cancelled_epoch_ = epoch;
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->second->epoch() <= epoch) {
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

void TaskManager::route_checkpoint_message(MessageType type, const RpcMessage& message) {
  if (type == MessageType::kEndOfInput) {
    Result<TaskStatusMessage> status = decode_task_status(message);
    if (!status.is_ok()) return;
    if (StreamTask* task = find(status.value().task)) task->end_of_input();
    return;
  }
  Result<CheckpointMessage> m = decode_checkpoint_message(message);
  if (!m.is_ok()) return;
  StreamTask* task = find(m.value().task);
  if (task == nullptr) return;
  switch (type) {
    case MessageType::kTriggerCheckpoint: task->trigger_checkpoint(m.value().id, m.value().timestamp_ns); return;
    case MessageType::kNotifyCheckpointComplete: task->notify_checkpoint_complete(m.value().id); return;
    case MessageType::kNotifyCheckpointAborted:
      task->notify_checkpoint_aborted(m.value().id, m.value().latest_completed_id);
      return;
    default: return;
  }
}

void TaskManager::route_store_reply(MessageType type, const RpcMessage& message) {
  Result<StoreReply> reply = decode_store_reply(message);
  if (!reply.is_ok()) return;
  if (StreamTask* task = find(reply.value().task)) task->on_store_reply(type, reply.value());
}

}  // namespace ckptsim
