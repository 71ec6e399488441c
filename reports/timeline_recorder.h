// Collects a run's Timeline from the observation hooks that already exist for the
// oracle: the runtime observer (snapshots, restores, restarts, source output,
// backpressure), the checkpoint coordinator listener (forwarded to `next`), and the
// external store's prepares and commits (forwarded by the runner).
//
// It only reads what it is told; it never influences the run. Deterministic: all state is
// in ordered containers keyed by integers, and time comes from the simulation's clock.
// Bounded: at most kBucketsMax buckets (the bucket width doubles and buckets merge when a
// run is longer), at most `events_max` spans and instants.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "faults/fault_schedule.h"
#include "protocol/checkpoint/checkpoint_task_gateway.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/record.h"
#include "reports/latency_histogram.h"
#include "reports/timeline.h"

namespace ckptsim::reports {

struct TimelineTask {
  std::string operator_name;   // "count"
  std::string label;           // "count[1]"
};

struct TimelineRecorderOptions {
  std::function<TimeNs()> now;                       // the simulation's clock
  CheckpointCoordinatorListener* next = nullptr;     // where checkpoint events are forwarded
  DurationNs bucket_ns = 100'000'000;                // initial bucket width (100 ms)
  std::size_t events_max = 200'000;
};

class TimelineRecorder final : public RuntimeObserver, public CheckpointCoordinatorListener {
 public:
  static constexpr std::size_t kBucketsMax = 1024;

  explicit TimelineRecorder(TimelineRecorderOptions options);
  // Names the job's tasks (by dense subtask index) and says when input offset o became
  // available. Call once, after the cluster is built and before it starts.
  void attach_job(std::vector<TimelineTask> tasks, std::function<TimeNs(std::uint64_t)> available_at);

  // RuntimeObserver.
  void on_snapshot_captured(TaskRef task, CheckpointId id, const OperatorStateView& state) override;
  void on_task_restored(TaskRef task, CheckpointId id, const OperatorStateView& state) override;
  void on_commit_requested(TaskRef task, CheckpointId id, const std::string& transaction) override;
  void on_job_restore(CheckpointId id, std::uint32_t attempt) override;
  void on_source_emitted(TaskRef task, std::uint64_t records) override;
  void on_task_backpressure(TaskRef task, bool backpressured) override;

  // CheckpointCoordinatorListener (each also forwarded to options.next).
  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override;
  void on_completed(const CompletedCheckpoint& checkpoint) override;
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override;
  void on_subsumed(CheckpointId id) override;
  void on_request_dropped(CheckpointFailureReason reason) override;

  // The external store (forwarded by the runner's store observer).
  void on_store_prepared(const std::string& txn, const std::vector<Record>& records);
  void on_store_committed(const std::string& txn);
  void on_store_aborted(const std::string& txn);
  void on_store_direct_write(const std::vector<Record>& records);

  // Closes open intervals at `end_ns`, attributes restarts to faults, and returns the
  // timeline. Call once, after the run.
  Timeline finish(TimeNs end_ns, const std::vector<faults::FaultWindow>& faults);

 private:
  struct Bucket {
    TimelineBucket counts;
    LatencyHistogram latency;
    std::vector<DurationNs> backpressured_ns;   // by subtask
  };
  struct Restart {
    TimeNs restart_ns = 0;
    std::uint32_t attempt = 0;
    CheckpointId restored = kNoCheckpointId;
    TimeNs last_restored_ns = -1;
    std::uint32_t tasks_restored = 0;
  };

  Bucket& bucket_at(TimeNs time_ns);
  void coarsen();
  void add_backpressure(std::uint32_t subtask, TimeNs from_ns, TimeNs to_ns);
  void close_backpressure(TimeNs now_ns);
  void record_commit(TimeNs now_ns, const std::vector<TimeNs>& available_ns);
  void add_event(TimelineEvent event);
  std::vector<Recovery> recoveries(TimeNs end_ns, const std::vector<faults::FaultWindow>& faults) const;
  const TimelineTask& task(std::uint32_t subtask) const;

  TimelineRecorderOptions options_;
  std::vector<TimelineTask> tasks_;
  std::function<TimeNs(std::uint64_t)> available_at_;
  DurationNs bucket_ns_;
  std::vector<Bucket> buckets_;
  LatencyHistogram latency_total_;
  std::vector<TimeNs> backpressured_since_ns_;               // by subtask; -1 when not backpressured
  std::map<std::pair<CheckpointId, std::uint32_t>, TimeNs> captured_ns_;   // (checkpoint, subtask) -> snapshot time
  std::map<CheckpointId, TimeNs> triggered_ns_;
  std::map<std::string, std::vector<TimeNs>> prepared_;      // txn -> availability time of each record
  std::vector<Restart> restarts_;                            // [0] is the first deployment
  std::vector<TimelineEvent> events_;
  bool events_truncated_ = false;
};

}  // namespace ckptsim::reports
