// Deterministic test doubles for the checkpoint coordinator tests.
//
//  * ManualClock: time moves only when a test (or ManualTimers) moves it.
//  * ManualTimers: fires due callbacks in (due time, insertion) order while a test advances
//    time; the clock reads each timer's due time while its callback runs.
//  * InMemoryBlobStore: operations are queued and complete only when the test calls
//    run_one()/run_pending(), so tests interleave storage completions with other events.
//    A put becomes visible when it completes ok. Failures and corruption are injected.
//  * ScriptedRandomness: returns scripted values (modulo the bound), then 0.
//  * RecordingGateway / RecordingListener: record every call, in order.
//  * CoordinatorHarness: wires the above to a CheckpointCoordinator and offers scenario
//    helpers (recover, ack everything, restart the JobManager).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/checkpoint/checkpoint_coordinator.h"

namespace ckptsim::testing {

class ManualClock final : public Clock {
 public:
  TimeNs now_ns() const override { return now_ns_; }
  void set(TimeNs time_ns) {
    CKPT_ASSERT(time_ns >= now_ns_, "the manual clock never goes back");
    now_ns_ = time_ns;
  }

 private:
  TimeNs now_ns_ = 0;
};

class ManualTimers final : public Timers {
 public:
  explicit ManualTimers(ManualClock& clock) : clock_(clock) {}

  TimerId schedule_after(DurationNs delay_ns, std::function<void()> callback) override {
    CKPT_ASSERT(delay_ns >= 0, "negative timer delay");
    const TimerId id = next_id_++;
    const Key key{clock_.now_ns() + delay_ns, id};
    queue_.emplace(key, std::move(callback));
    keys_.emplace(id, key);
    return id;
  }

  bool cancel(TimerId timer) override {
    auto it = keys_.find(timer);
    if (it == keys_.end()) return false;
    queue_.erase(it->second);
    keys_.erase(it);
    return true;
  }

  // Fires every timer due at or before target_ns, in order, then sets the clock to target_ns.
  void advance_to(TimeNs target_ns) {
    for (int fired = 0; fired < kMaxFiringsPerAdvance; ++fired) {
      if (queue_.empty() || queue_.begin()->first.due_ns > target_ns) {
        clock_.set(target_ns);
        return;
      }
      auto it = queue_.begin();
      const Key key = it->first;
      std::function<void()> callback = std::move(it->second);
      queue_.erase(it);
      keys_.erase(key.id);
      clock_.set(key.due_ns);
      callback();
    }
    CKPT_UNREACHABLE("too many timers fired in one advance (a zero-delay loop?)");
  }
  void advance_by(DurationNs delta_ns) { advance_to(clock_.now_ns() + delta_ns); }
  void run_due() { advance_to(clock_.now_ns()); }

  // A crashed process loses its timers.
  void clear() {
    queue_.clear();
    keys_.clear();
  }
  std::size_t size() const { return queue_.size(); }
  std::optional<TimeNs> next_due_ns() const {
    if (queue_.empty()) return std::nullopt;
    return queue_.begin()->first.due_ns;
  }

 private:
  static constexpr int kMaxFiringsPerAdvance = 1'000'000;
  struct Key {
    TimeNs due_ns;
    TimerId id;  // increasing: insertion order breaks ties
    bool operator<(const Key& other) const {
      return due_ns != other.due_ns ? due_ns < other.due_ns : id < other.id;
    }
  };
  ManualClock& clock_;
  TimerId next_id_ = 1;
  std::map<Key, std::function<void()>> queue_;
  std::map<TimerId, Key> keys_;
};

class InMemoryBlobStore final : public BlobStore {
 public:
  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override {
    pending_.push_back(Op{OpKind::kPut, name, std::move(bytes), std::move(done), {}});
  }
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override {
    pending_.push_back(Op{OpKind::kGet, name, {}, {}, std::move(done)});
  }
  void remove(const std::string& name, std::function<void(Status)> done) override {
    pending_.push_back(Op{OpKind::kRemove, name, {}, std::move(done), {}});
  }
  std::vector<std::string> list(const std::string& prefix) const override {
    std::vector<std::string> names;
    for (auto it = blobs_.lower_bound(prefix); it != blobs_.end() && it->first.starts_with(prefix); ++it) {
      names.push_back(it->first);
    }
    return names;
  }

  // Completes the oldest queued operation. Returns false if none was queued.
  bool run_one() {
    if (pending_.empty()) return false;
    Op op = std::move(pending_.front());
    pending_.pop_front();
    complete(op, /*deliver=*/true);
    return true;
  }
  // Completes queued operations, including those queued by completions, until none is left.
  void run_pending() {
    for (int i = 0; i < 1'000'000; ++i) {
      if (!run_one()) return;
    }
    CKPT_UNREACHABLE("blob store operations never stop");
  }
  // The caller crashed after its writes reached storage: apply them, run no callbacks.
  void apply_pending_without_callbacks() {
    while (!pending_.empty()) {
      Op op = std::move(pending_.front());
      pending_.pop_front();
      complete(op, /*deliver=*/false);
    }
  }
  // The caller crashed before anything reached storage.
  void drop_pending() { pending_.clear(); }
  std::size_t pending_count() const { return pending_.size(); }

  // Fault injection.
  void fail_puts_with_prefix(std::string prefix, int count) { put_failures_.emplace_back(std::move(prefix), count); }
  void fail_gets(StatusCode code, int count) {
    get_failure_code_ = code;
    get_failures_ = count;
  }
  void clear_failures() {
    put_failures_.clear();
    get_failures_ = 0;
  }
  void flip_byte(const std::string& name, std::size_t index) {
    Bytes& bytes = blobs_.at(name);
    CKPT_ASSERT(index < bytes.size(), "flip a byte inside the blob");
    bytes[index] ^= 0x5a;
  }
  void truncate(const std::string& name, std::size_t size) { blobs_.at(name).resize(size); }

  // Direct access for tests (not through the BlobStore interface).
  void put_now(const std::string& name, Bytes bytes) { blobs_[name] = std::move(bytes); }
  bool contains(const std::string& name) const { return blobs_.count(name) != 0; }
  const Bytes& bytes(const std::string& name) const { return blobs_.at(name); }
  const std::vector<std::string>& removed() const { return removed_; }
  bool was_removed(const std::string& name) const {
    for (const std::string& removed : removed_) {
      if (removed == name) return true;
    }
    return false;
  }
  std::size_t size() const { return blobs_.size(); }

 private:
  enum class OpKind { kPut, kGet, kRemove };
  struct Op {
    OpKind kind;
    std::string name;
    Bytes bytes;
    std::function<void(Status)> status_done;
    std::function<void(Result<Bytes>)> bytes_done;
  };

  bool take_put_failure(const std::string& name) {
    for (auto& [prefix, count] : put_failures_) {
      if (count > 0 && name.starts_with(prefix)) {
        --count;
        return true;
      }
    }
    return false;
  }

  void complete(Op& op, bool deliver) {
    switch (op.kind) {
      case OpKind::kPut: {
        if (take_put_failure(op.name)) {
          if (deliver) op.status_done(Status::io_error("injected put failure: " + op.name));
          return;
        }
        blobs_[op.name] = std::move(op.bytes);
        if (deliver) op.status_done(Status::ok());
        return;
      }
      case OpKind::kGet: {
        if (!deliver) return;
        if (get_failures_ > 0) {
          --get_failures_;
          op.bytes_done(Status::error(get_failure_code_, "injected get failure: " + op.name));
          return;
        }
        auto it = blobs_.find(op.name);
        if (it == blobs_.end()) {
          op.bytes_done(Status::not_found(op.name));
        } else {
          op.bytes_done(it->second);
        }
        return;
      }
      case OpKind::kRemove: {
        const bool existed = blobs_.erase(op.name) != 0;
        if (existed) removed_.push_back(op.name);
        if (deliver) op.status_done(existed ? Status::ok() : Status::not_found(op.name));
        return;
      }
    }
  }

  std::map<std::string, Bytes> blobs_;
  std::deque<Op> pending_;
  std::vector<std::pair<std::string, int>> put_failures_;
  StatusCode get_failure_code_ = StatusCode::kUnavailable;
  int get_failures_ = 0;
  std::vector<std::string> removed_;
};

class ScriptedRandomness final : public Randomness {
 public:
  void script(std::vector<std::uint64_t> values) { values_.insert(values_.end(), values.begin(), values.end()); }
  std::uint64_t next_u64() override { return take(); }
  std::uint64_t uniform_below(std::uint64_t bound) override {
    CKPT_ASSERT(bound > 0, "uniform_below needs a positive bound");
    last_bound_ = bound;
    return take() % bound;
  }
  std::uint64_t last_bound() const { return last_bound_; }

 private:
  std::uint64_t take() {
    if (values_.empty()) return 0;
    const std::uint64_t value = values_.front();
    values_.pop_front();
    return value;
  }
  std::deque<std::uint64_t> values_;
  std::uint64_t last_bound_ = 0;
};

struct GatewayCall {
  enum class Kind { kTrigger, kNotifyComplete, kNotifyAborted };
  Kind kind;
  TaskRef task;
  CheckpointId id;
  TimeNs timestamp_ns;
};

class RecordingGateway final : public CheckpointTaskGateway {
 public:
  void trigger_checkpoint(TaskRef source_task, CheckpointId id, TimeNs timestamp_ns) override {
    calls.push_back({GatewayCall::Kind::kTrigger, source_task, id, timestamp_ns});
  }
  void notify_checkpoint_complete(TaskRef task, CheckpointId id) override {
    calls.push_back({GatewayCall::Kind::kNotifyComplete, task, id, 0});
  }
  void notify_checkpoint_aborted(TaskRef task, CheckpointId id, CheckpointId /*latest_completed_id*/) override {
    calls.push_back({GatewayCall::Kind::kNotifyAborted, task, id, 0});
  }
  std::vector<GatewayCall> of_kind(GatewayCall::Kind kind) const {
    std::vector<GatewayCall> result;
    for (const GatewayCall& call : calls) {
      if (call.kind == kind) result.push_back(call);
    }
    return result;
  }
  // Ids triggered at least once, in first-trigger order.
  std::vector<CheckpointId> triggered_ids() const {
    std::vector<CheckpointId> ids;
    for (const GatewayCall& call : calls) {
      if (call.kind == GatewayCall::Kind::kTrigger && (ids.empty() || ids.back() != call.id)) ids.push_back(call.id);
    }
    return ids;
  }
  std::vector<GatewayCall> calls;
};

struct ListenerEvent {
  enum class Kind { kTriggered, kCompleted, kAborted, kSubsumed, kRequestDropped };
  Kind kind;
  CheckpointId id;
  TimeNs time_ns;
  std::optional<CheckpointFailureReason> reason;
};

class RecordingListener final : public CheckpointCoordinatorListener {
 public:
  explicit RecordingListener(const Clock& clock) : clock_(clock) {}
  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override {
    events.push_back({ListenerEvent::Kind::kTriggered, id, trigger_time_ns, std::nullopt});
  }
  void on_completed(const CompletedCheckpoint& checkpoint) override {
    events.push_back({ListenerEvent::Kind::kCompleted, checkpoint.id, clock_.now_ns(), std::nullopt});
    completed.push_back(checkpoint);
  }
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override {
    events.push_back({ListenerEvent::Kind::kAborted, id, clock_.now_ns(), reason});
  }
  void on_subsumed(CheckpointId id) override {
    events.push_back({ListenerEvent::Kind::kSubsumed, id, clock_.now_ns(), std::nullopt});
  }
  void on_request_dropped(CheckpointFailureReason reason) override {
    events.push_back({ListenerEvent::Kind::kRequestDropped, kNoCheckpointId, clock_.now_ns(), reason});
  }
  std::vector<ListenerEvent> of_kind(ListenerEvent::Kind kind) const {
    std::vector<ListenerEvent> result;
    for (const ListenerEvent& event : events) {
      if (event.kind == kind) result.push_back(event);
    }
    return result;
  }
  std::vector<CheckpointId> ids_of(ListenerEvent::Kind kind) const {
    std::vector<CheckpointId> ids;
    for (const ListenerEvent& event : of_kind(kind)) ids.push_back(event.id);
    return ids;
  }
  std::optional<CheckpointFailureReason> abort_reason(CheckpointId id) const {
    for (const ListenerEvent& event : events) {
      if (event.kind == ListenerEvent::Kind::kAborted && event.id == id) return event.reason;
    }
    return std::nullopt;
  }
  std::vector<ListenerEvent> events;
  std::vector<CompletedCheckpoint> completed;

 private:
  const Clock& clock_;
};

// A state handle whose blob names are unique per (checkpoint, task attempt).
inline SubtaskStateHandle make_state(CheckpointId id, TaskRef task, const std::string& job_id = "job") {
  SubtaskStateHandle state;
  state.blob_names.push_back(job_id + "/chk-" + std::to_string(id) + "/subtask-" + std::to_string(task.subtask) +
                             "-attempt-" + std::to_string(task.attempt));
  state.state_size_bytes = 100 + task.subtask;
  state.checksum = (static_cast<std::uint64_t>(id) << 20) ^ (task.subtask * 131ULL) ^ task.attempt;
  return state;
}

inline SubtaskCheckpointMetrics make_metrics(TaskRef task) {
  return SubtaskCheckpointMetrics{1 * kMillisecond, 2 * kMillisecond, 3 * kMillisecond, 100 + task.subtask, 7};
}

inline std::vector<TaskRef> tasks_with_attempt(std::uint32_t count, std::uint32_t attempt) {
  std::vector<TaskRef> tasks;
  for (std::uint32_t subtask = 0; subtask < count; ++subtask) tasks.push_back(TaskRef{subtask, attempt});
  return tasks;
}

class CoordinatorHarness {
 public:
  explicit CoordinatorHarness(CheckpointCoordinatorConfig config, std::uint32_t num_tasks = 3,
                              std::uint32_t num_sources = 1)
      : config_(std::move(config)), num_tasks_(num_tasks), num_sources_(num_sources) {
    CKPT_ASSERT(validate(config_).is_ok(), "harness config must be valid");
    build();
  }

  // Recovers (running storage) and deploys attempt `attempt` of every task.
  CoordinatorRecovery recover_and_deploy(std::uint32_t attempt = 0) {
    std::optional<Result<CoordinatorRecovery>> result;
    coordinator->recover([&](Result<CoordinatorRecovery> r) { result.emplace(std::move(r)); });
    blobs.run_pending();
    CKPT_ASSERT(result.has_value() && result->is_ok(), "recovery failed in the harness");
    deploy(attempt);
    return result->value();
  }

  void deploy(std::uint32_t attempt) {
    attempt_ = attempt;
    std::vector<TaskRef> all = tasks_with_attempt(num_tasks_, attempt);
    std::vector<TaskRef> sources(all.begin(), all.begin() + num_sources_);
    coordinator->set_tasks(sources, all);
  }

  std::vector<TaskRef> tasks() const { return tasks_with_attempt(num_tasks_, attempt_); }

  // Writes the task's state blob (as a task would) and acknowledges.
  TaskAcknowledgeResult ack(TaskRef task, CheckpointId id) {
    SubtaskStateHandle state = make_state(id, task, config_.job_id);
    for (const std::string& blob : state.blob_names) blobs.put_now(blob, Bytes{1, 2, 3});
    return coordinator->receive_acknowledge(task, id, state, make_metrics(task));
  }
  void ack_all(CheckpointId id) {
    for (const TaskRef& task : tasks()) ack(task, id);
  }
  // Triggers manually and completes the id write; returns the new id (or 0 if none started).
  CheckpointId trigger_now() {
    const std::size_t before = listener->ids_of(ListenerEvent::Kind::kTriggered).size();
    coordinator->trigger_checkpoint();
    blobs.run_pending();
    const auto triggered = listener->ids_of(ListenerEvent::Kind::kTriggered);
    return triggered.size() > before ? triggered.back() : kNoCheckpointId;
  }
  // Triggers, acks everything and lets every write finish.
  CheckpointId complete_one() {
    const CheckpointId id = trigger_now();
    CKPT_ASSERT(id != kNoCheckpointId, "complete_one could not trigger");
    ack_all(id);
    blobs.run_pending();
    return id;
  }

  // The JobManager process crashes and restarts: timers and the coordinator are gone,
  // storage operations in flight either reached storage or not.
  void restart_job_manager(bool writes_reached_storage) {
    coordinator.reset();
    timers.clear();
    if (writes_reached_storage) {
      blobs.apply_pending_without_callbacks();
    } else {
      blobs.drop_pending();
    }
    build();
  }

  int fail_job_calls = 0;
  std::vector<CheckpointFailureReason> fail_job_reasons;
  ManualClock clock;
  ManualTimers timers{clock};
  InMemoryBlobStore blobs;
  ScriptedRandomness randomness;
  RecordingGateway gateway;
  std::unique_ptr<RecordingListener> listener;
  std::unique_ptr<CheckpointCoordinator> coordinator;

 private:
  void build() {
    listener = std::make_unique<RecordingListener>(clock);
    CheckpointCoordinatorEnv env{clock, timers, randomness, blobs, gateway, listener.get(),
                                 [this](CheckpointFailureReason reason) {
                                   ++fail_job_calls;
                                   fail_job_reasons.push_back(reason);
                                 }};
    coordinator = std::make_unique<CheckpointCoordinator>(config_, std::move(env));
  }

  CheckpointCoordinatorConfig config_;
  std::uint32_t num_tasks_;
  std::uint32_t num_sources_;
  std::uint32_t attempt_ = 0;
};

}  // namespace ckptsim::testing
