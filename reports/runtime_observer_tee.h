// Forwards every runtime observation to two observers, first then second (the cluster
// takes one observer; the oracle's recorder and the report's timeline both listen).
#pragma once

#include "protocol/base/assert.h"
#include "protocol/runtime/observer.h"

namespace ckptsim::reports {

class RuntimeObserverTee final : public RuntimeObserver {
 public:
  RuntimeObserverTee(RuntimeObserver& first, RuntimeObserver& second) : first_(first), second_(second) {
    CKPT_ASSERT(&first != &second, "a tee forwards to two different observers");
  }
  void on_snapshot_captured(TaskRef task, CheckpointId id, const OperatorStateView& state) override {
    first_.on_snapshot_captured(task, id, state);
    second_.on_snapshot_captured(task, id, state);
  }
  void on_task_restored(TaskRef task, CheckpointId id, const OperatorStateView& state) override {
    first_.on_task_restored(task, id, state);
    second_.on_task_restored(task, id, state);
  }
  void on_task_finished(TaskRef task, const OperatorStateView& state) override {
    first_.on_task_finished(task, state);
    second_.on_task_finished(task, state);
  }
  void on_commit_requested(TaskRef task, CheckpointId id, const std::string& transaction) override {
    first_.on_commit_requested(task, id, transaction);
    second_.on_commit_requested(task, id, transaction);
  }
  void on_job_restore(CheckpointId id, std::uint32_t attempt) override {
    first_.on_job_restore(id, attempt);
    second_.on_job_restore(id, attempt);
  }
  void on_job_finished() override {
    first_.on_job_finished();
    second_.on_job_finished();
  }
  void on_job_failed(std::uint32_t failures) override {
    first_.on_job_failed(failures);
    second_.on_job_failed(failures);
  }
  void on_source_emitted(TaskRef task, std::uint64_t records) override {
    first_.on_source_emitted(task, records);
    second_.on_source_emitted(task, records);
  }
  void on_task_backpressure(TaskRef task, bool backpressured) override {
    first_.on_task_backpressure(task, backpressured);
    second_.on_task_backpressure(task, backpressured);
  }

 private:
  RuntimeObserver& first_;
  RuntimeObserver& second_;
};

}  // namespace ckptsim::reports
