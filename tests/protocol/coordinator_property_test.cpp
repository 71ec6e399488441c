// Property: random interleavings of acks (current, stale, duplicate), declines, timeouts,
// storage completions and failures, manual triggers, failovers and JobManager restarts
// never break the coordinator's safety invariants, and once the faults stop a checkpoint
// completes again (liveness).
//
// The invariants are checked from the outside, by a listener and a gateway that keep
// their own model, so they do not trust the coordinator's bookkeeping:
//  * triggered ids strictly increase, across JobManager restarts too;
//  * tasks are triggered only after the id is durable;
//  * a checkpoint completes only with the state of every task attempt it was triggered
//    for, and only once its metadata is durable and equal to what was reported;
//  * completed ids strictly increase; each id ends at most once;
//  * at most max-concurrent checkpoints are pending; min-pause holds between the end of
//    a checkpoint and the next periodic trigger;
//  * blobs of retained checkpoints are never removed; a restart never loses a completed
//    checkpoint;
//  * fail_job is called exactly as often as an independent model of the tolerable-failure
//    rules says.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>
#include <ostream>

#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

using namespace ckptsim::testing;

enum class StepKind {
  kAdvanceTime,
  kRunOneStorageOp,
  kRunAllStorageOps,
  kAck,
  kAckAllOfOldest,
  kDuplicateAck,
  kDecline,
  kManualTrigger,
  kFailNextPut,
  kFailover,
  kRestartJobManager,
  kCount,
};

struct Step {
  Step(int kind_value, int x_value, int y_value) : kind(static_cast<StepKind>(kind_value)), x(x_value), y(y_value) {}
  StepKind kind;
  int x;
  int y;
};

void showValue(const Step& step, std::ostream& os) {
  os << "Step{" << static_cast<int>(step.kind) << ", " << step.x << ", " << step.y << "}";
}

struct WorldOptions {
  WorldOptions(int max_concurrent_value, int min_pause_choice, int tolerable_value, int num_retained_value,
               int timeout_choice, int num_tasks_value)
      : max_concurrent(max_concurrent_value),
        min_pause_ns(min_pause_choice == 0 ? 0 : (min_pause_choice == 1 ? 300 * kMillisecond : 1500 * kMillisecond)),
        tolerable(tolerable_value),
        num_retained(num_retained_value),
        timeout_ns(timeout_choice == 0 ? 1500 * kMillisecond : 4 * kSecond),
        num_tasks(static_cast<std::uint32_t>(num_tasks_value)) {}
  int max_concurrent;
  DurationNs min_pause_ns;
  int tolerable;
  int num_retained;
  DurationNs timeout_ns;
  std::uint32_t num_tasks;
};

void showValue(const WorldOptions& o, std::ostream& os) {
  os << "WorldOptions{max_concurrent=" << o.max_concurrent << ", min_pause=" << format_duration(o.min_pause_ns)
     << ", tolerable=" << o.tolerable << ", num_retained=" << o.num_retained
     << ", timeout=" << format_duration(o.timeout_ns) << ", tasks=" << o.num_tasks << "}";
}

// An independent model of the tolerable-failure rules.
struct FailureModel {
  int tolerable = 0;
  int counter = 0;
  CheckpointId last_success = kNoCheckpointId;
  std::set<CheckpointId> counted;
  int expected_fail_calls = 0;

  static bool counts(CheckpointFailureReason reason) {
    return reason == CheckpointFailureReason::kCheckpointExpired ||
           reason == CheckpointFailureReason::kCheckpointDeclined ||
           reason == CheckpointFailureReason::kIoException ||
           reason == CheckpointFailureReason::kCheckpointAsyncException;
  }
  void failed(CheckpointId id, CheckpointFailureReason reason) {
    if (!counts(reason) || id <= last_success || !counted.insert(id).second) return;
    count_one();
  }
  void failed_without_id(CheckpointFailureReason reason) {
    if (counts(reason)) count_one();
  }
  void count_one() {
    if (++counter > tolerable) {
      ++expected_fail_calls;
      counter = 0;
    }
  }
  void succeeded(CheckpointId id) {
    if (id <= last_success) return;
    last_success = id;
    counter = 0;
    counted.clear();
  }
};

// Checks every listener and gateway event against its own model. Violations are recorded
// as strings (RC_ASSERT cannot be used inside callbacks called from protocol code).
class Checker final : public CheckpointCoordinatorListener, public CheckpointTaskGateway {
 public:
  Checker(const ManualClock& clock, const InMemoryBlobStore& blobs, const WorldOptions& options)
      : clock_(clock), blobs_(blobs), options_(options) {
    failures_.tolerable = options.tolerable;
  }

  std::vector<std::string> violations;
  std::uint32_t current_attempt = 0;
  bool manual_triggers_used = false;
  CheckpointId last_triggered = kNoCheckpointId;
  CheckpointId last_completed = kNoCheckpointId;
  std::set<CheckpointId> completed_ids;
  std::set<CheckpointId> sent_triggers;  // tasks can only know these ids
  std::set<CheckpointId> aborted_ids;

  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override {
    expect(id > last_triggered, "triggered ids strictly increase");
    expect(trigger_time_ns <= clock_.now_ns(), "trigger time is not in the future");
    if (!manual_triggers_used) {
      // The last end the coordinator knew when the trigger started. With one checkpoint
      // at a time an end at the trigger instant came first; with more, an end at the
      // same instant may have come just after the trigger started, so it is ambiguous.
      const bool same_instant_counts = options_.max_concurrent == 1;
      std::optional<TimeNs> last_end_ns;
      for (TimeNs end_ns : end_times_ns_) {
        if (end_ns < trigger_time_ns || (same_instant_counts && end_ns == trigger_time_ns)) last_end_ns = end_ns;
      }
      if (last_end_ns.has_value()) {
        expect(trigger_time_ns - *last_end_ns >= options_.min_pause_ns, "min-pause holds before a periodic trigger");
      }
    }
    last_triggered = id;
    open_[id] = current_attempt;
  }
  void on_completed(const CompletedCheckpoint& checkpoint) override {
    const CheckpointId id = checkpoint.id;
    expect(open_.count(id) == 1, "a completed checkpoint was open");
    expect(id > last_completed, "completed ids strictly increase");
    const std::uint32_t attempt = open_.count(id) == 1 ? open_[id] : 0;
    expect(checkpoint.states.size() == options_.num_tasks, "a completed checkpoint has every task's state");
    for (std::uint32_t subtask = 0; subtask < options_.num_tasks; ++subtask) {
      auto it = checkpoint.states.find(subtask);
      expect(it != checkpoint.states.end() && it->second == make_state(id, {subtask, attempt}),
             "each state was acknowledged by the attempt the checkpoint was triggered for");
    }
    const std::string metadata = CompletedCheckpointStore::metadata_name("job", id);
    expect(blobs_.contains(metadata), "metadata is durable before completion");
    if (blobs_.contains(metadata)) {
      Result<CompletedCheckpoint> stored = deserialize_checkpoint_metadata(blobs_.bytes(metadata));
      expect(stored.is_ok() && stored.value() == checkpoint, "durable metadata equals the completed checkpoint");
    }
    open_.erase(id);
    last_completed = id;
    completed_ids.insert(id);
    end_times_ns_.push_back(clock_.now_ns());
    failures_.succeeded(id);
  }
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override {
    expect(open_.count(id) == 1, "an aborted checkpoint was open (each id ends once)");
    open_.erase(id);
    aborted_ids.insert(id);
    end_times_ns_.push_back(clock_.now_ns());
    failures_.failed(id, reason);
  }
  void on_request_dropped(CheckpointFailureReason reason) override { failures_.failed_without_id(reason); }
  void on_subsumed(CheckpointId id) override {
    expect(completed_ids.count(id) == 1, "only completed checkpoints are subsumed");
    expect(id < last_completed, "the latest completed checkpoint is never subsumed");
  }

  void trigger_checkpoint(TaskRef task, CheckpointId id, TimeNs timestamp_ns) override {
    expect(open_.count(id) == 1, "triggers go out for open checkpoints");
    expect(task.attempt == (open_.count(id) == 1 ? open_[id] : task.attempt), "triggers go to the checkpoint's attempt");
    expect(timestamp_ns <= clock_.now_ns(), "trigger timestamps are not in the future");
    CheckpointId highest_durable = kNoCheckpointId;
    const std::string prefix = CheckpointIdCounter::blob_prefix("job");
    for (const std::string& name : blobs_.list(prefix)) {
      highest_durable = std::max(highest_durable, parse_checkpoint_id(name.substr(prefix.size())).value_or(0));
    }
    expect(highest_durable >= id, "tasks hear of an id only after it is durable");
    sent_triggers.insert(id);
  }
  void notify_checkpoint_complete(TaskRef, CheckpointId id) override {
    expect(completed_ids.count(id) == 1, "notify-complete only for completed checkpoints");
  }
  void notify_checkpoint_aborted(TaskRef, CheckpointId id, CheckpointId latest_completed_id) override {
    expect(completed_ids.count(id) == 0, "notify-aborted never for a completed checkpoint");
    // Like Flink, subsumed pending checkpoints are aborted while the newer one completes,
    // just before it is reported: then the latest is open but its metadata is durable.
    const bool completing = open_.count(latest_completed_id) == 1 &&
                            blobs_.contains(CompletedCheckpointStore::metadata_name("job", latest_completed_id));
    expect(latest_completed_id == kNoCheckpointId || completed_ids.count(latest_completed_id) == 1 || completing,
           "notify-aborted names a completed (or completing) checkpoint as the latest");
    expect(latest_completed_id >= last_completed, "notify-aborted names the latest completed checkpoint");
  }

  // A JobManager restart: open checkpoints are gone, the new coordinator knows nothing of
  // min-pause history or failure counts.
  void on_restart() {
    open_.clear();
    end_times_ns_.clear();
    failures_ = FailureModel{};
    failures_.tolerable = options_.tolerable;
  }
  void on_recovered(const std::deque<CompletedCheckpoint>& retained) {
    const CheckpointId latest_id = retained.empty() ? kNoCheckpointId : retained.back().id;
    for (const CompletedCheckpoint& checkpoint : retained) completed_ids.insert(checkpoint.id);
    expect(latest_id >= last_completed, "a restart never loses a completed checkpoint");
    expect(latest_id <= last_triggered, "a recovered checkpoint was triggered");
    if (latest_id > last_completed) {
      last_completed = latest_id;
      completed_ids.insert(latest_id);
    }
  }
  int expected_fail_calls() const { return failures_.expected_fail_calls; }
  int fail_calls_before_restart = 0;

 private:
  void expect(bool condition, const char* what) {
    if (!condition) violations.push_back(std::string(what) + " at " + format_time(clock_.now_ns()));
  }
  const ManualClock& clock_;
  const InMemoryBlobStore& blobs_;
  const WorldOptions& options_;
  std::map<CheckpointId, std::uint32_t> open_;  // open checkpoint -> attempt it was triggered for
  std::vector<TimeNs> end_times_ns_;  // since the last restart, in time order
  FailureModel failures_;
};

class World {
 public:
  explicit World(const WorldOptions& options) : options_(options), checker_(clock_, blobs_, options_) {
    config_.interval_ns = 1 * kSecond;
    config_.timeout_ns = options.timeout_ns;
    config_.max_concurrent_checkpoints = options.max_concurrent;
    config_.min_pause_ns = options.min_pause_ns;
    config_.tolerable_failed_checkpoints = options.tolerable;
    config_.num_retained = options.num_retained;
    start_job_manager();
  }

  void apply(const Step& step) {
    switch (step.kind) {
      case StepKind::kAdvanceTime: timers_.advance_by((step.x % 700) * kMillisecond); break;
      case StepKind::kRunOneStorageOp: blobs_.run_one(); break;
      case StepKind::kRunAllStorageOps: blobs_.run_pending(); break;
      case StepKind::kAck: ack_one(step); break;
      case StepKind::kAckAllOfOldest: ack_oldest(); break;
      case StepKind::kDuplicateAck: ack_one(Step(0, step.x, step.y & ~1)); ack_one(Step(0, step.x, step.y & ~1)); break;
      case StepKind::kDecline: decline(step); break;
      case StepKind::kManualTrigger:
        // Manual triggers bypass min-pause, which the checker would then flag.
        if (options_.min_pause_ns == 0) {
          checker_.manual_triggers_used = true;
          coordinator_->trigger_checkpoint();
        }
        break;
      case StepKind::kFailNextPut:
        blobs_.fail_puts_with_prefix(step.x % 2 == 0 ? "job/chk-" : "job/checkpoint-id-counter/", 1);
        break;
      case StepKind::kFailover: failover(step.x % 2 == 0); break;
      case StepKind::kRestartJobManager: restart_job_manager(step.x % 2 == 0); break;
      case StepKind::kCount: break;
    }
    timers_.run_due();  // deliver deferred fail_job calls
  }

  // Checks the invariants that hold between steps.
  void check() {
    if (!checker_.violations.empty()) RC_FAIL(checker_.violations.front());
    RC_ASSERT(coordinator_->num_pending() <= static_cast<std::size_t>(options_.max_concurrent));
    RC_ASSERT(fail_job_calls_ - checker_.fail_calls_before_restart == checker_.expected_fail_calls());
    for (const CompletedCheckpoint& retained : coordinator_->retained_checkpoints()) {
      RC_ASSERT(blobs_.contains(CompletedCheckpointStore::metadata_name("job", retained.id)));
      for (const std::string& blob : state_blob_names(retained)) RC_ASSERT(blobs_.contains(blob));
    }
    const CompletedCheckpoint* latest = coordinator_->latest_completed();
    RC_ASSERT((latest == nullptr ? kNoCheckpointId : latest->id) == checker_.last_completed);
  }

  std::size_t completed_before_liveness() const { return checker_.completed_ids.size(); }
  std::size_t aborted_count() const { return checker_.aborted_ids.size(); }

  // Faults stop; the orchestrator redeploys and (re)starts the scheduler. A checkpoint
  // must complete within a bounded number of rounds.
  void check_liveness() {
    blobs_.clear_failures();
    blobs_.run_pending();
    redeploy();
    if (!coordinator_->is_periodic_scheduler_running()) coordinator_->start_periodic_scheduler();
    const CheckpointId before = checker_.last_completed;
    for (int round = 0; round < 40 && checker_.last_completed == before; ++round) {
      timers_.advance_by(500 * kMillisecond);
      blobs_.run_pending();
      for (CheckpointId id : coordinator_->pending_ids()) {
        if (checker_.sent_triggers.count(id) == 0) continue;
        for (std::uint32_t subtask = 0; subtask < options_.num_tasks; ++subtask) ack({subtask, attempt_}, id);
      }
      blobs_.run_pending();
      timers_.run_due();
      check();
    }
    RC_ASSERT(checker_.last_completed > before);
  }

 private:
  void start_job_manager() {
    CheckpointCoordinatorEnv env{clock_, timers_, randomness_, blobs_, checker_, &checker_,
                                 [this](CheckpointFailureReason) { ++fail_job_calls_; }};
    coordinator_ = std::make_unique<CheckpointCoordinator>(config_, std::move(env));
    std::optional<Result<CoordinatorRecovery>> recovery;
    coordinator_->recover([&](Result<CoordinatorRecovery> r) { recovery.emplace(std::move(r)); });
    blobs_.run_pending();
    RC_ASSERT(recovery.has_value());
    RC_ASSERT(recovery->is_ok());
    checker_.on_recovered(coordinator_->retained_checkpoints());
    redeploy();
    coordinator_->start_periodic_scheduler();
  }

  void redeploy() {
    ++attempt_;
    checker_.current_attempt = attempt_;
    std::vector<TaskRef> all = tasks_with_attempt(options_.num_tasks, attempt_);
    coordinator_->set_tasks({all.front()}, all);
  }

  void restart_job_manager(bool writes_reached_storage) {
    coordinator_.reset();
    timers_.clear();
    if (writes_reached_storage) {
      blobs_.apply_pending_without_callbacks();
    } else {
      blobs_.drop_pending();
    }
    checker_.fail_calls_before_restart = fail_job_calls_;
    checker_.on_restart();
    start_job_manager();
  }

  void failover(bool stop_scheduler) {
    coordinator_->clear_tasks();
    if (stop_scheduler) coordinator_->stop_periodic_scheduler();
    coordinator_->abort_pending_checkpoints(CheckpointFailureReason::kJobFailover);
    redeploy();
    if (stop_scheduler) coordinator_->start_periodic_scheduler();
  }

  // A pending checkpoint the tasks have heard of (a task cannot ack an id it never saw).
  std::optional<CheckpointId> pick_pending(int x) const {
    std::vector<CheckpointId> ids;
    for (CheckpointId id : coordinator_->pending_ids()) {
      if (checker_.sent_triggers.count(id) != 0) ids.push_back(id);
    }
    if (ids.empty()) return std::nullopt;
    return ids[static_cast<std::size_t>(x) % ids.size()];
  }

  void ack(TaskRef task, CheckpointId id) {
    SubtaskStateHandle state = make_state(id, task);
    for (const std::string& blob : state.blob_names) blobs_.put_now(blob, Bytes{1});
    coordinator_->receive_acknowledge(task, id, state, make_metrics(task));
  }

  void ack_one(const Step& step) {
    const std::optional<CheckpointId> id = pick_pending(step.x);
    if (!id.has_value()) return;
    const std::uint32_t subtask = static_cast<std::uint32_t>(step.y / 2) % options_.num_tasks;
    // Odd y: a stale ack from the previous attempt.
    const std::uint32_t attempt = (step.y % 2 == 1 && attempt_ > 0) ? attempt_ - 1 : attempt_;
    ack({subtask, attempt}, *id);
  }

  void ack_oldest() {
    const std::optional<CheckpointId> id = pick_pending(0);
    if (!id.has_value()) return;
    for (std::uint32_t subtask = 0; subtask < options_.num_tasks; ++subtask) ack({subtask, attempt_}, *id);
  }

  void decline(const Step& step) {
    const std::optional<CheckpointId> id = pick_pending(step.x);
    if (!id.has_value()) return;
    static constexpr CheckpointFailureReason kReasons[] = {
        CheckpointFailureReason::kCheckpointDeclined, CheckpointFailureReason::kCheckpointDeclinedTaskNotReady,
        CheckpointFailureReason::kCheckpointAsyncException, CheckpointFailureReason::kTaskFailure};
    const CheckpointFailureReason reason = kReasons[static_cast<std::size_t>(step.y) % 4];
    coordinator_->receive_decline({static_cast<std::uint32_t>(step.y) % options_.num_tasks, attempt_}, *id, reason);
  }

  WorldOptions options_;
  CheckpointCoordinatorConfig config_;
  ManualClock clock_;
  ManualTimers timers_{clock_};
  InMemoryBlobStore blobs_;
  ScriptedRandomness randomness_;
  Checker checker_;
  std::unique_ptr<CheckpointCoordinator> coordinator_;
  std::uint32_t attempt_ = 0;
  int fail_job_calls_ = 0;
};

rc::Gen<WorldOptions> options_gen() {
  return rc::gen::construct<WorldOptions>(rc::gen::inRange(1, 4), rc::gen::inRange(0, 3), rc::gen::inRange(0, 4),
                                          rc::gen::inRange(1, 4), rc::gen::inRange(0, 2), rc::gen::inRange(1, 5));
}

rc::Gen<Step> step_gen() {
  // Faults are rarer than progress, so that checkpoints also complete during the chaos.
  const auto kind = [](StepKind k) { return static_cast<int>(k); };
  const rc::Gen<int> kinds = rc::gen::weightedElement<int>({
      {3, kind(StepKind::kAdvanceTime)},   {2, kind(StepKind::kRunOneStorageOp)},
      {3, kind(StepKind::kRunAllStorageOps)}, {3, kind(StepKind::kAck)},
      {3, kind(StepKind::kAckAllOfOldest)}, {1, kind(StepKind::kDuplicateAck)},
      {1, kind(StepKind::kDecline)},       {2, kind(StepKind::kManualTrigger)},
      {1, kind(StepKind::kFailNextPut)},   {1, kind(StepKind::kFailover)},
      {1, kind(StepKind::kRestartJobManager)},
  });
  return rc::gen::construct<Step>(kinds, rc::gen::inRange(0, 2500), rc::gen::inRange(0, 16));
}

TEST_CASE("coordinator: random interleavings keep every safety invariant and checkpoints resume after faults",
          "[property][coordinator]") {
  rc::prop("safety under random interleavings, then liveness", [] {
    const WorldOptions options = *options_gen();
    const std::vector<Step> steps = *rc::gen::resize(80, rc::gen::container<std::vector<Step>>(step_gen()));
    World world(options);
    for (const Step& step : steps) {
      world.apply(step);
      world.check();
    }
    RC_TAG(world.completed_before_liveness() > 0 ? "completed during faults" : "none completed during faults");
    RC_TAG(world.aborted_count() > 0 ? "some aborted" : "none aborted");
    world.check_liveness();
  });
}

}  // namespace
}  // namespace ckptsim
