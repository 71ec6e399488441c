#include "reports/timeline_recorder.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "protocol/base/assert.h"

namespace ckptsim::reports {
namespace {

constexpr const char* kJobManager = "JobManager";

std::string checkpoint_name(CheckpointId id) { return "checkpoint " + std::to_string(id); }

}  // namespace

TimelineRecorder::TimelineRecorder(TimelineRecorderOptions options)
    : options_(std::move(options)), bucket_ns_(options_.bucket_ns) {
  CKPT_ASSERT(options_.now != nullptr, "the recorder needs the simulation's clock");
  CKPT_ASSERT(bucket_ns_ > 0, "buckets have a positive width");
}

void TimelineRecorder::attach_job(std::vector<TimelineTask> tasks, std::function<TimeNs(std::uint64_t)> available_at) {
  CKPT_ASSERT(tasks_.empty(), "attach_job is called once");
  CKPT_ASSERT(buckets_.empty(), "attach_job is called before the run starts");
  CKPT_ASSERT(available_at != nullptr, "the recorder needs the input's availability times");
  tasks_ = std::move(tasks);
  available_at_ = std::move(available_at);
  backpressured_since_ns_.assign(tasks_.size(), -1);
}

const TimelineTask& TimelineRecorder::task(std::uint32_t subtask) const {
  CKPT_ASSERT(subtask < tasks_.size(), "a task of the job (attach_job names them)");
  return tasks_[subtask];
}

TimelineRecorder::Bucket& TimelineRecorder::bucket_at(TimeNs time_ns) {
  const TimeNs t = std::max<TimeNs>(0, time_ns);
  while (static_cast<std::size_t>(t / bucket_ns_) >= kBucketsMax) coarsen();
  const auto index = static_cast<std::size_t>(t / bucket_ns_);
  while (buckets_.size() <= index) {
    Bucket bucket;
    bucket.counts.start_ns = static_cast<TimeNs>(buckets_.size()) * bucket_ns_;
    bucket.backpressured_ns.assign(tasks_.size(), 0);
    buckets_.push_back(std::move(bucket));
  }
  return buckets_[index];
}

void TimelineRecorder::coarsen() {
  // Doubling the width merges buckets pairwise; every sum stays exact.
  std::vector<Bucket> merged;
  for (std::size_t i = 0; i < buckets_.size(); i += 2) {
    Bucket bucket = std::move(buckets_[i]);
    bucket.counts.start_ns = static_cast<TimeNs>(i / 2) * bucket_ns_ * 2;
    if (i + 1 < buckets_.size()) {
      const Bucket& other = buckets_[i + 1];
      bucket.counts.source_records += other.counts.source_records;
      bucket.counts.sink_records += other.counts.sink_records;
      bucket.counts.committed_records += other.counts.committed_records;
      bucket.latency.merge(other.latency);
      for (std::size_t s = 0; s < bucket.backpressured_ns.size(); ++s) bucket.backpressured_ns[s] += other.backpressured_ns[s];
    }
    merged.push_back(std::move(bucket));
  }
  buckets_ = std::move(merged);
  bucket_ns_ *= 2;
}

void TimelineRecorder::add_event(TimelineEvent event) {
  if (events_.size() >= options_.events_max) {
    events_truncated_ = true;
    return;
  }
  events_.push_back(std::move(event));
}

void TimelineRecorder::on_snapshot_captured(TaskRef task_ref, CheckpointId id, const OperatorStateView&) {
  captured_ns_[{id, task_ref.subtask}] = options_.now();
}

void TimelineRecorder::on_task_restored(TaskRef task_ref, CheckpointId id, const OperatorStateView&) {
  const TimeNs now_ns = options_.now();
  if (restarts_.empty()) return;
  Restart& restart = restarts_.back();
  restart.last_restored_ns = now_ns;
  ++restart.tasks_restored;
  if (restarts_.size() == 1) return;   // the first deployment is not a restore worth a span
  const TimelineTask& t = task(task_ref.subtask);
  add_event({t.operator_name, t.label, "restore", "restore", restart.restart_ns, now_ns - restart.restart_ns,
             {{"checkpoint", id}, {"attempt", task_ref.attempt}}});
}

void TimelineRecorder::on_commit_requested(TaskRef task_ref, CheckpointId id, const std::string& transaction) {
  const TimelineTask& t = task(task_ref.subtask);
  add_event({t.operator_name, t.label, "commit " + std::to_string(id), "commit", options_.now(), -1,
             {{"checkpoint", id}, {"transaction", transaction}}});
}

void TimelineRecorder::on_job_restore(CheckpointId id, std::uint32_t attempt) {
  const TimeNs now_ns = options_.now();
  close_backpressure(now_ns);
  restarts_.push_back(Restart{now_ns, attempt, id, -1});
  add_event({kJobManager, "recovery", restarts_.size() == 1 ? "deploy" : "restart", "restart", now_ns, -1,
             {{"attempt", attempt}, {"checkpoint", id}}});
}

void TimelineRecorder::on_source_emitted(TaskRef, std::uint64_t records) {
  bucket_at(options_.now()).counts.source_records += records;
}

void TimelineRecorder::on_task_backpressure(TaskRef task_ref, bool backpressured) {
  CKPT_ASSERT(task_ref.subtask < backpressured_since_ns_.size(), "a task of the job");
  TimeNs& since_ns = backpressured_since_ns_[task_ref.subtask];
  const TimeNs now_ns = options_.now();
  if (backpressured && since_ns < 0) {
    since_ns = now_ns;
  } else if (!backpressured && since_ns >= 0) {
    add_backpressure(task_ref.subtask, since_ns, now_ns);
    since_ns = -1;
  }
}

void TimelineRecorder::add_backpressure(std::uint32_t subtask, TimeNs from_ns, TimeNs to_ns) {
  bucket_at(to_ns);   // coarsen first, so the loop below walks the final widths
  TimeNs t = from_ns;
  while (t < to_ns) {
    Bucket& bucket = bucket_at(t);
    const TimeNs bucket_end_ns = bucket.counts.start_ns + bucket_ns_;
    const TimeNs until_ns = std::min(to_ns, bucket_end_ns);
    bucket.backpressured_ns[subtask] += until_ns - t;
    t = until_ns;
  }
}

void TimelineRecorder::close_backpressure(TimeNs now_ns) {
  for (std::uint32_t s = 0; s < backpressured_since_ns_.size(); ++s) {
    if (backpressured_since_ns_[s] >= 0) add_backpressure(s, backpressured_since_ns_[s], now_ns);
    backpressured_since_ns_[s] = -1;
  }
}

void TimelineRecorder::on_triggered(CheckpointId id, TimeNs trigger_time_ns) {
  triggered_ns_[id] = trigger_time_ns;
  if (options_.next != nullptr) options_.next->on_triggered(id, trigger_time_ns);
}

void TimelineRecorder::on_completed(const CompletedCheckpoint& checkpoint) {
  const CheckpointId id = checkpoint.id;
  add_event({kJobManager, "checkpoints", checkpoint_name(id), "checkpoint", checkpoint.trigger_time_ns,
             checkpoint.completion_time_ns - checkpoint.trigger_time_ns, {{"id", id}, {"status", "COMPLETED"}}});
  for (const auto& [subtask, m] : checkpoint.metrics) {
    const auto captured = captured_ns_.find({id, subtask});
    if (captured == captured_ns_.end()) continue;
    const TimeNs t = captured->second;
    const TimelineTask& task_names = task(subtask);
    const std::string& p = task_names.operator_name;
    const std::string& th = task_names.label;
    add_event({p, th, "barrier " + std::to_string(id), "barrier", t, -1, {{"checkpoint", id}}});
    if (m.alignment_ns > 0) add_event({p, th, "alignment " + std::to_string(id), "alignment", t - m.alignment_ns, m.alignment_ns, {{"checkpoint", id}}});
    add_event({p, th, "sync " + std::to_string(id), "sync", t, m.sync_ns, {{"checkpoint", id}, {"state_size_bytes", m.state_size_bytes}}});
    add_event({p, th, "async upload " + std::to_string(id), "async", t + m.sync_ns, m.async_ns,
               {{"checkpoint", id}, {"in_flight_bytes", m.in_flight_bytes}}});
  }
  captured_ns_.erase(captured_ns_.begin(), captured_ns_.lower_bound({id + 1, 0}));
  triggered_ns_.erase(id);
  if (options_.next != nullptr) options_.next->on_completed(checkpoint);
}

void TimelineRecorder::on_aborted(CheckpointId id, CheckpointFailureReason reason) {
  const TimeNs now_ns = options_.now();
  const auto triggered = triggered_ns_.find(id);
  const TimeNs start_ns = triggered == triggered_ns_.end() ? now_ns : triggered->second;
  add_event({kJobManager, "checkpoints", checkpoint_name(id) + " failed", "checkpoint", start_ns, now_ns - start_ns,
             {{"id", id}, {"status", "FAILED"}, {"reason", name(reason)}}});
  captured_ns_.erase(captured_ns_.lower_bound({id, 0}), captured_ns_.lower_bound({id + 1, 0}));
  triggered_ns_.erase(id);
  if (options_.next != nullptr) options_.next->on_aborted(id, reason);
}

void TimelineRecorder::on_subsumed(CheckpointId id) {
  if (options_.next != nullptr) options_.next->on_subsumed(id);
}

void TimelineRecorder::on_request_dropped(CheckpointFailureReason reason) {
  if (options_.next != nullptr) options_.next->on_request_dropped(reason);
}

void TimelineRecorder::on_store_prepared(const std::string& txn, const std::vector<Record>& records) {
  bucket_at(options_.now()).counts.sink_records += records.size();
  if (prepared_.count(txn) > 0) return;   // a repeated prepare only re-acknowledges
  std::vector<TimeNs>& available = prepared_[txn];
  available.reserve(records.size());
  for (const Record& r : records) available.push_back(available_at_(r.offset));
}

void TimelineRecorder::on_store_committed(const std::string& txn) {
  const auto prepared = prepared_.find(txn);
  if (prepared == prepared_.end()) return;
  record_commit(options_.now(), prepared->second);
  prepared_.erase(prepared);
}

void TimelineRecorder::on_store_aborted(const std::string& txn) { prepared_.erase(txn); }

void TimelineRecorder::on_store_direct_write(const std::vector<Record>& records) {
  const TimeNs now_ns = options_.now();
  bucket_at(now_ns).counts.sink_records += records.size();
  std::vector<TimeNs> available;
  available.reserve(records.size());
  for (const Record& r : records) available.push_back(available_at_(r.offset));
  record_commit(now_ns, available);
}

void TimelineRecorder::record_commit(TimeNs now_ns, const std::vector<TimeNs>& available_ns) {
  Bucket& bucket = bucket_at(now_ns);
  bucket.counts.committed_records += available_ns.size();
  for (const TimeNs a : available_ns) bucket.latency.add(now_ns - a);
}

std::vector<Recovery> TimelineRecorder::recoveries(TimeNs end_ns, const std::vector<faults::FaultWindow>& faults) const {
  // Every deployment after the first is a restart. Consecutive restarts until one whose
  // tasks all restored form one recovery, caused by the latest fault before the first.
  std::vector<Recovery> result;
  std::optional<Recovery> open;
  TimeNs previous_ns = restarts_.empty() ? 0 : restarts_.front().restart_ns;
  for (std::size_t i = 1; i < restarts_.size(); ++i) {
    const Restart& r = restarts_[i];
    if (!open) {
      open = Recovery{};
      open->attempt = r.attempt;
      open->restart_ns = r.restart_ns;
      open->failure_ns = r.restart_ns;
      open->cause = "unknown";
      // The latest fault that started since the job last ran; none ("unknown"): the
      // failover had another cause (a heartbeat timeout, a TaskManager coming back).
      TimeNs latest_ns = -1;
      for (const faults::FaultWindow& f : faults) {
        if (f.start_ns <= r.restart_ns && f.start_ns >= previous_ns && f.start_ns > latest_ns) {
          latest_ns = f.start_ns;
          open->failure_ns = f.start_ns;
          open->cause = f.type + (f.target.empty() ? "" : " " + f.target);
        }
      }
    }
    ++open->restarts;
    open->restored_checkpoint = r.restored == kNoCheckpointId ? -1 : static_cast<std::int64_t>(r.restored);
    if (r.tasks_restored >= tasks_.size() && r.last_restored_ns >= 0) {
      open->running_ns = r.last_restored_ns;
      open->recovered = true;
      open->recovery_ns = open->running_ns - open->failure_ns;
      previous_ns = open->running_ns;
      result.push_back(*open);
      open.reset();
    }
  }
  if (open) {
    open->running_ns = end_ns;
    open->recovery_ns = end_ns - open->failure_ns;
    result.push_back(*open);
  }
  return result;
}

Timeline TimelineRecorder::finish(TimeNs end_ns, const std::vector<faults::FaultWindow>& faults) {
  close_backpressure(end_ns);
  bucket_at(end_ns);
  Timeline timeline;
  timeline.bucket_ns = bucket_ns_;
  for (const Bucket& b : buckets_) {
    TimelineBucket counts = b.counts;
    counts.latency_count = b.latency.count();
    counts.latency_p50_ns = b.latency.percentile_ns(500);
    counts.latency_p99_ns = b.latency.percentile_ns(990);
    latency_total_.merge(b.latency);
    timeline.buckets.push_back(counts);
  }
  timeline.latency_p50_ns = latency_total_.percentile_ns(500);
  timeline.latency_p99_ns = latency_total_.percentile_ns(990);
  for (std::uint32_t s = 0; s < tasks_.size(); ++s) {
    TaskBackpressure series{tasks_[s].label, {}, 0};
    for (const Bucket& b : buckets_) {
      series.backpressured_ns.push_back(b.backpressured_ns[s]);
      series.total_ns += b.backpressured_ns[s];
    }
    timeline.backpressure.push_back(std::move(series));
  }
  for (const faults::FaultWindow& f : faults) {
    const std::string process = f.target.empty() ? std::string("cluster") : f.target;
    add_event({process, "faults", f.type, "fault", f.start_ns, std::max<DurationNs>(0, f.end_ns - f.start_ns),
               {{"type", f.type}, {"target", f.target}}});
    add_event({process, "faults", f.type + " starts", "fault", f.start_ns, -1, {{"type", f.type}, {"target", f.target}}});
  }
  timeline.recoveries = recoveries(end_ns, faults);
  for (const Recovery& r : timeline.recoveries) {
    add_event({kJobManager, "recovery", "recovery (attempt " + std::to_string(r.attempt) + ")", "restart", r.failure_ns,
               r.recovery_ns, {{"cause", r.cause}, {"restarts", r.restarts}, {"checkpoint", r.restored_checkpoint}}});
  }
  std::stable_sort(events_.begin(), events_.end(), [](const TimelineEvent& a, const TimelineEvent& b) {
    return std::tie(a.start_ns, a.process, a.thread, a.name) < std::tie(b.start_ns, b.process, b.thread, b.name);
  });
  timeline.track_order = {{kJobManager, "checkpoints"}, {kJobManager, "recovery"}};
  for (const TimelineTask& t : tasks_) timeline.track_order.emplace_back(t.operator_name, t.label);
  timeline.events = std::move(events_);
  timeline.events_truncated = events_truncated_;
  return timeline;
}

}  // namespace ckptsim::reports
