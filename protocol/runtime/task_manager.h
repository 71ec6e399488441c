// A TaskManager: hosts the tasks the JobManager deploys on it, routes control messages
// to them, answers heartbeats, and cancels its tasks when it loses the JobManager
// (no heartbeat request within the heartbeat timeout), as Flink's TaskExecutor does.
//
// Invariants: at most one task per subtask; a message for a task attempt that is not
// the one deployed here is dropped (stale); tasks of an epoch at or below a received
// cancel are destroyed.
#pragma once

#include <map>
#include <memory>

#include "protocol/runtime/stream_task.h"

namespace ckptsim {

class TaskManager {
 public:
  explicit TaskManager(TaskServices services);
  ~TaskManager();
  TaskManager(const TaskManager&) = delete;
  TaskManager& operator=(const TaskManager&) = delete;

  void on_rpc(ProcessId from, RpcMessage message);
  std::size_t task_count() const { return tasks_.size(); }
  // The state of every task held, by subtask, for the heartbeat response.
  std::vector<TaskReport> task_reports() const;

 private:
  void deploy(const RpcMessage& message);
  void cancel_up_to(std::uint64_t epoch);
  StreamTask* find(const TaskRef& task);
  void route_checkpoint_message(MessageType type, const RpcMessage& message);
  void route_store_reply(MessageType type, const RpcMessage& message);
  void arm_job_manager_watchdog();

  TaskServices services_;
  std::map<std::uint32_t, std::unique_ptr<StreamTask>> tasks_;   // by subtask
  TimeNs last_job_manager_contact_ns_ = 0;
  // Identifies this TaskManager instance (Flink's ResourceID/instance id): a restarted
  // TaskManager is a new instance, so the JobManager knows its old tasks are gone.
  std::uint64_t instance_ = 0;
  std::uint64_t highest_cancelled_epoch_ = 0;
  TimerId watchdog_ = kNoTimer;
};

}  // namespace ckptsim
