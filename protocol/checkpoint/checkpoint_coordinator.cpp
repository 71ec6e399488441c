#include "protocol/checkpoint/checkpoint_coordinator.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace ckptsim {
namespace {

CheckpointCoordinatorConfig checked(CheckpointCoordinatorConfig config) {
  const Status status = validate(config);
  CKPT_ASSERT(status.is_ok(), "invalid checkpoint coordinator config (call validate() first)");
  return config;
}

void check_deployment(const std::vector<TaskRef>& sources, const std::vector<TaskRef>& all_tasks) {
  std::set<std::uint32_t> subtasks;
  for (const TaskRef& task : all_tasks) {
    CKPT_ASSERT(subtasks.insert(task.subtask).second, "one attempt per subtask in a deployment");
  }
  CKPT_ASSERT(all_tasks.empty() || !sources.empty(), "a running deployment has at least one source");
  for (const TaskRef& source : sources) {
    CKPT_ASSERT(std::find(all_tasks.begin(), all_tasks.end(), source) != all_tasks.end(),
                "every source is one of all_tasks");
  }
}

}  // namespace

const char* name(CoordinatorLifecycle lifecycle) {
  switch (lifecycle) {
    case CoordinatorLifecycle::kCreated: return "created";
    case CoordinatorLifecycle::kRecovering: return "recovering";
    case CoordinatorLifecycle::kRunning: return "running";
    case CoordinatorLifecycle::kShutdown: return "shutdown";
  }
  CKPT_UNREACHABLE("unknown coordinator lifecycle");
}

CheckpointCoordinator::CheckpointCoordinator(CheckpointCoordinatorConfig config, CheckpointCoordinatorEnv env)
    : config_(checked(std::move(config))),
      clock_(env.clock),
      timers_(env.timers),
      randomness_(env.randomness),
      gateway_(env.gateway),
      listener_(env.listener),
      fail_job_(std::move(env.fail_job)),
      blob_store_(env.blob_store),
      decider_(static_cast<std::size_t>(config_.max_concurrent_checkpoints), config_.min_pause_ns,
               config_.max_queued_requests),
      failure_manager_(config_.tolerable_failed_checkpoints,
                       [this](CheckpointFailureReason reason) { defer_fail_job(reason); }),
      id_counter_(env.blob_store, config_.job_id),
      store_(env.blob_store, config_.job_id, static_cast<std::size_t>(config_.num_retained)),
      discarder_(env.blob_store, [this](std::set<std::string>& names) { collect_referenced_blobs(names); }) {
  discarder_.set_removal_observer([this](const std::string& name) { remember_deleted_shared(name); });
  if (config_.interval_ns > 0) {
    // Flink: triggering more often than the min-pause allows makes no sense.
    const DurationNs base_interval_ns = std::max(config_.interval_ns, config_.min_pause_ns);
    periodic_.emplace(clock_, timers_, base_interval_ns, [this] { submit_request(TriggerRequestKind::kPeriodic); });
  }
}

CheckpointCoordinator::~CheckpointCoordinator() {
  for (auto& entry : pending_) {
    if (entry.second.timeout_timer != kNoTimer) timers_.cancel(entry.second.timeout_timer);
  }
}

std::vector<CheckpointId> CheckpointCoordinator::pending_ids() const {
  std::vector<CheckpointId> ids;
  for (const auto& entry : pending_) ids.push_back(entry.first);
  return ids;
}

void CheckpointCoordinator::recover(std::function<void(Result<CoordinatorRecovery>)> done) {
  assert_entry_allowed();
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kCreated, "recover() once, on a fresh coordinator");
  lifecycle_ = CoordinatorLifecycle::kRecovering;
  store_.recover(guard_.wrap([this, done = std::move(done)](Result<StoreRecovery> recovery) mutable {
    on_store_recovered(std::move(recovery), done);
  }));
}

void CheckpointCoordinator::on_store_recovered(Result<StoreRecovery> recovery,
                                               const std::function<void(Result<CoordinatorRecovery>)>& done) {
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kRecovering, "recovery result without a recovery");
  if (!recovery.is_ok()) {
    lifecycle_ = CoordinatorLifecycle::kCreated;
    done(recovery.status());
    return;
  }
  StoreRecovery report = std::move(recovery).value();
  const CompletedCheckpoint* latest = store_.latest();
  id_counter_.recover(std::max(report.highest_seen_id, latest == nullptr ? kNoCheckpointId : latest->id));
  last_triggered_id_ = id_counter_.next_id() - 1;
  // The registry first: orphans and the sweep must see every retained reference.
  for (const CompletedCheckpoint& retained : store_.retained()) {
    shared_registry_.register_checkpoint(retained.id, shared_blob_names(retained));
  }
  for (const CompletedCheckpoint& orphan : report.orphaned) {
    std::vector<std::string> blobs = state_blob_names(orphan);
    for (std::string& shared : shared_blob_names(orphan)) blobs.push_back(std::move(shared));
    discarder_.discard_with_metadata(store_.metadata_name_of(orphan.id), std::move(blobs));
  }
  sweep_shared_state();
  lifecycle_ = CoordinatorLifecycle::kRunning;
  CoordinatorRecovery result;
  if (latest != nullptr) result.latest_completed_id = latest->id;
  result.next_checkpoint_id = id_counter_.next_id();
  result.warnings = std::move(report.warnings);
  check_invariants();
  done(std::move(result));
}

void CheckpointCoordinator::start_periodic_scheduler() {
  assert_entry_allowed();
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kRunning, "start the scheduler after recovery");
  if (!periodic_.has_value()) return;
  // Flink spreads the first trigger of many jobs: uniform in [min-pause, base interval].
  const DurationNs base_interval_ns = std::max(config_.interval_ns, config_.min_pause_ns);
  const auto spread = static_cast<std::uint64_t>(base_interval_ns - config_.min_pause_ns) + 1;
  const DurationNs initial_delay_ns = config_.min_pause_ns + static_cast<DurationNs>(randomness_.uniform_below(spread));
  periodic_->start(initial_delay_ns);
  check_invariants();
}

void CheckpointCoordinator::stop_periodic_scheduler() {
  assert_entry_allowed();
  if (periodic_.has_value()) periodic_->stop();
  if (lifecycle_ != CoordinatorLifecycle::kRunning) return;
  abort_queued_requests(CheckpointFailureReason::kCheckpointCoordinatorSuspend);
  abort_all_pending(CheckpointFailureReason::kCheckpointCoordinatorSuspend);
  check_invariants();
}

void CheckpointCoordinator::set_tasks(std::vector<TaskRef> sources, std::vector<TaskRef> all_tasks) {
  assert_entry_allowed();
  check_deployment(sources, all_tasks);
  sources_ = std::move(sources);
  all_tasks_ = std::move(all_tasks);
}

void CheckpointCoordinator::clear_tasks() { set_tasks({}, {}); }

void CheckpointCoordinator::trigger_checkpoint() {
  assert_entry_allowed();
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kRunning, "trigger after recovery and before shutdown");
  submit_request(TriggerRequestKind::kManual);
  check_invariants();
}

void CheckpointCoordinator::trigger_checkpoint_as_periodic() {
  assert_entry_allowed();
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kRunning, "trigger after recovery and before shutdown");
  submit_request(is_periodic_scheduler_running() ? TriggerRequestKind::kPeriodic : TriggerRequestKind::kManual);
  check_invariants();
}

TaskAcknowledgeResult CheckpointCoordinator::receive_acknowledge(TaskRef task, CheckpointId id,
                                                                 SubtaskStateHandle state,
                                                                 const SubtaskCheckpointMetrics& metrics) {
  assert_entry_allowed();
  // Before recovery nothing is known about which blobs are live, so nothing is removed.
  if (lifecycle_ != CoordinatorLifecycle::kRunning) return TaskAcknowledgeResult::kUnknown;
  auto it = pending_.find(id);
  if (it == pending_.end()) {
    discard_ack_state(state);
    return recently_ended(id) ? TaskAcknowledgeResult::kDiscarded : TaskAcknowledgeResult::kUnknown;
  }
  PendingEntry& entry = it->second;
  if (entry.phase == PendingPhase::kTriggering) {
    // No task can know this id before its trigger was sent.
    discard_ack_state(state);
    return TaskAcknowledgeResult::kUnknown;
  }
  if (entry.phase == PendingPhase::kAwaitingAcks && entry.checkpoint.involves(task) &&
      !entry.checkpoint.has_acknowledged(task) && refers_to_deleted_shared(state)) {
    // Completing it would leave a completed checkpoint that cannot be restored.
    discard_ack_state(state);
    abort_pending(id, CheckpointFailureReason::kFinalizeCheckpointFailure);
    check_invariants();
    return TaskAcknowledgeResult::kDiscarded;
  }
  // The pending checkpoint takes the state only on kSuccess; otherwise it is still ours.
  const TaskAcknowledgeResult result = entry.checkpoint.acknowledge(task, std::move(state), metrics);
  switch (result) {
    case TaskAcknowledgeResult::kSuccess:
      if (entry.checkpoint.is_fully_acknowledged()) start_finalization(entry);
      break;
    case TaskAcknowledgeResult::kDuplicate:
      break;  // the first ack's blobs are the checkpoint's; keep them
    case TaskAcknowledgeResult::kUnknown:
    case TaskAcknowledgeResult::kDiscarded:
      discard_ack_state(state);
      break;
  }
  check_invariants();
  return result;
}

bool CheckpointCoordinator::receive_decline(TaskRef task, CheckpointId id, CheckpointFailureReason reason) {
  assert_entry_allowed();
  if (lifecycle_ != CoordinatorLifecycle::kRunning) return false;
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  // No task can know the id before its trigger was sent; once every ack is in, the
  // outcome depends on the metadata write only.
  if (it->second.phase != PendingPhase::kAwaitingAcks) return false;
  if (!it->second.checkpoint.involves(task)) return false;  // e.g. a stale attempt
  abort_pending(id, reason);
  trigger_queued_requests();
  check_invariants();
  return true;
}

void CheckpointCoordinator::abort_pending_checkpoints(CheckpointFailureReason reason) {
  assert_entry_allowed();
  if (lifecycle_ != CoordinatorLifecycle::kRunning) return;
  abort_all_pending(reason);
  trigger_queued_requests();
  check_invariants();
}

void CheckpointCoordinator::shutdown() {
  assert_entry_allowed();
  if (lifecycle_ == CoordinatorLifecycle::kShutdown) return;
  if (periodic_.has_value()) periodic_->stop();
  if (lifecycle_ == CoordinatorLifecycle::kRunning) {
    abort_queued_requests(CheckpointFailureReason::kCheckpointCoordinatorShutdown);
    abort_all_pending(CheckpointFailureReason::kCheckpointCoordinatorShutdown);
  }
  lifecycle_ = CoordinatorLifecycle::kShutdown;
  check_invariants();
}

// ---- Requests ----

DeciderInputs CheckpointCoordinator::decider_inputs() const {
  DeciderInputs inputs;
  inputs.trigger_in_flight = triggering_id_.has_value();
  inputs.pending_count = pending_.size();
  inputs.cleaning_count = aborted_finalizations_.size();
  inputs.last_checkpoint_end_ns = last_checkpoint_end_ns_;
  inputs.now_ns = clock_.now_ns();
  return inputs;
}

void CheckpointCoordinator::submit_request(TriggerRequestKind kind) {
  if (lifecycle_ != CoordinatorLifecycle::kRunning) return;
  const DeciderOutcome outcome = decider_.submit(kind, decider_inputs());
  apply_decider_outcome(outcome);
  if (outcome.execute.has_value() && !start_triggering(*outcome.execute)) trigger_queued_requests();
}

void CheckpointCoordinator::apply_decider_outcome(const DeciderOutcome& outcome) {
  for (const DroppedRequest& dropped : outcome.dropped) fail_request(dropped.reason);
  if (outcome.periodic_retry_at_ns.has_value() && periodic_.has_value()) {
    periodic_->reschedule(*outcome.periodic_retry_at_ns);
  }
}

void CheckpointCoordinator::trigger_queued_requests() {
  // Each round removes one request from the queue, so the loop is bounded by its size.
  const std::size_t max_rounds = decider_.queued_count() + 1;
  for (std::size_t round = 0; round < max_rounds; ++round) {
    if (lifecycle_ != CoordinatorLifecycle::kRunning) return;
    const DeciderOutcome outcome = decider_.choose_queued(decider_inputs());
    apply_decider_outcome(outcome);
    if (!outcome.execute.has_value()) return;
    if (start_triggering(*outcome.execute)) return;
  }
}

bool CheckpointCoordinator::start_triggering(const CheckpointTriggerRequest& request) {
  CKPT_ASSERT(!triggering_id_.has_value(), "one trigger in flight at a time");
  CKPT_ASSERT(pending_.size() < static_cast<std::size_t>(config_.max_concurrent_checkpoints),
              "the decider admitted a trigger beyond max-concurrent-checkpoints");
  if (request.kind == TriggerRequestKind::kPeriodic && !is_periodic_scheduler_running()) {
    fail_request(CheckpointFailureReason::kPeriodicSchedulerShutdown);
    return false;
  }
  if (all_tasks_.empty()) {
    fail_request(CheckpointFailureReason::kNotAllRequiredTasksRunning);
    return false;
  }
  const CheckpointId id = id_counter_.reserve();
  CKPT_ASSERT(id > last_triggered_id_, "checkpoint ids strictly increase");
  last_triggered_id_ = id;
  const TimeNs now_ns = clock_.now_ns();
  PendingEntry entry{PendingCheckpoint(id, now_ns, all_tasks_), sources_, PendingPhase::kTriggering, kNoTimer,
                     std::nullopt, false};
  entry.timeout_timer = timers_.schedule_after(config_.timeout_ns, guard_.wrap([this, id] { on_checkpoint_timeout(id); }));
  pending_.emplace(id, std::move(entry));
  triggering_id_ = id;
  id_counter_.persist(id, guard_.wrap([this, id](Status status) { on_id_persisted(id, status); }));
  return true;
}

void CheckpointCoordinator::fail_request(CheckpointFailureReason reason) {
  // Like Flink's failures before a checkpoint id exists: counted without an id.
  failure_manager_.handle_failure(std::nullopt, reason);
  call_out([&] {
    if (listener_ != nullptr) listener_->on_request_dropped(reason);
  });
}

void CheckpointCoordinator::on_id_persisted(CheckpointId id, const Status& status) {
  if (triggering_id_ == id) triggering_id_.reset();
  auto it = pending_.find(id);
  if (it != pending_.end()) {
    PendingEntry& entry = it->second;
    CKPT_ASSERT(entry.phase == PendingPhase::kTriggering, "the id is persisted once, while triggering");
    if (!status.is_ok()) {
      abort_pending(id, CheckpointFailureReason::kTriggerCheckpointFailure);
    } else {
      entry.phase = PendingPhase::kAwaitingAcks;
      const TimeNs trigger_time_ns = entry.checkpoint.trigger_time_ns();
      call_out([&] {
        // Announced only now: an id that is durable is never handed out again.
        if (listener_ != nullptr) listener_->on_triggered(id, trigger_time_ns);
        for (const TaskRef& source : entry.sources) gateway_.trigger_checkpoint(source, id, trigger_time_ns);
      });
    }
  }
  // Whatever happened to the checkpoint meanwhile, the trigger is over (FLINK-26394).
  trigger_queued_requests();
  check_invariants();
}

// ---- Checkpoint lifecycle ----

void CheckpointCoordinator::on_checkpoint_timeout(CheckpointId id) {
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.phase == PendingPhase::kFinalizing) return;
  it->second.timeout_timer = kNoTimer;  // it fired
  abort_pending(id, CheckpointFailureReason::kCheckpointExpired);
  trigger_queued_requests();
  check_invariants();
}

void CheckpointCoordinator::start_finalization(PendingEntry& entry) {
  CKPT_ASSERT(entry.phase == PendingPhase::kAwaitingAcks, "finalize a checkpoint that awaited acks");
  CKPT_ASSERT(entry.checkpoint.is_fully_acknowledged(), "finalize only with every ack");
  if (entry.timeout_timer != kNoTimer) timers_.cancel(entry.timeout_timer);
  entry.timeout_timer = kNoTimer;
  entry.phase = PendingPhase::kFinalizing;
  entry.completed = entry.checkpoint.finalize(clock_.now_ns());
  entry.metadata_write_in_flight = true;
  const CheckpointId id = entry.checkpoint.id();
  store_.persist_metadata(*entry.completed,
                          guard_.wrap([this, id](Status status) { on_metadata_persisted(id, status); }));
}

void CheckpointCoordinator::on_metadata_persisted(CheckpointId id, const Status& status) {
  auto aborted = aborted_finalizations_.find(id);
  if (aborted != aborted_finalizations_.end()) {
    // Aborted while the write was in flight: undo the write, then drop the state.
    std::vector<std::string> blobs = state_blob_names(aborted->second);
    for (std::string& shared : shared_blob_names(aborted->second)) blobs.push_back(std::move(shared));
    aborted_finalizations_.erase(aborted);
    if (status.is_ok()) {
      discarder_.discard_with_metadata(store_.metadata_name_of(id), std::move(blobs));
    } else {
      discarder_.discard_blobs(blobs);
    }
    trigger_queued_requests();
    check_invariants();
    return;
  }
  auto it = pending_.find(id);
  CKPT_ASSERT(it != pending_.end(), "a metadata write ends for a finalizing or aborted checkpoint");
  CKPT_ASSERT(it->second.phase == PendingPhase::kFinalizing, "metadata is written while finalizing");
  it->second.metadata_write_in_flight = false;
  if (status.is_ok()) {
    complete_checkpoint(id);
  } else {
    abort_pending(id, CheckpointFailureReason::kIoException);
  }
  trigger_queued_requests();
  check_invariants();
}

void CheckpointCoordinator::complete_checkpoint(CheckpointId id) {
  auto node = pending_.extract(id);
  CKPT_ASSERT(!node.empty() && node.mapped().completed.has_value(), "complete a finalized checkpoint");
  CompletedCheckpoint completed = std::move(*node.mapped().completed);
  CKPT_ASSERT(completed.states.size() == node.mapped().checkpoint.num_tasks(), "completed without every ack");
  std::vector<CompletedCheckpoint> subsumed = store_.add(std::move(completed));
  const CompletedCheckpoint& added = *store_.latest();
  // Its metadata is durable: register its shared files before any older checkpoint is
  // unregistered, so a file both refer to never drops to zero in between.
  shared_registry_.register_checkpoint(id, shared_blob_names(added));
  last_checkpoint_end_ns_ = clock_.now_ns();
  remember_ended(id);
  failure_manager_.handle_success(id);
  // Pending checkpoints below the completed one can never be restored from: subsume them.
  while (!pending_.empty() && pending_.begin()->first < id) {
    abort_pending(pending_.begin()->first, CheckpointFailureReason::kCheckpointSubsumed);
  }
  call_out([&] {
    if (listener_ != nullptr) listener_->on_completed(added);
    for (const TaskRef& task : all_tasks_) gateway_.notify_checkpoint_complete(task, id);
  });
  for (CompletedCheckpoint& old : subsumed) {
    discard_subsumed(old);
    call_out([&] {
      if (listener_ != nullptr) listener_->on_subsumed(old.id);
    });
  }
}

void CheckpointCoordinator::abort_pending(CheckpointId id, CheckpointFailureReason reason) {
  auto node = pending_.extract(id);
  CKPT_ASSERT(!node.empty(), "abort a pending checkpoint");
  PendingEntry& entry = node.mapped();
  if (entry.timeout_timer != kNoTimer) timers_.cancel(entry.timeout_timer);
  entry.timeout_timer = kNoTimer;
  if (triggering_id_ == id) triggering_id_.reset();
  const bool announced = entry.phase != PendingPhase::kTriggering;
  release_aborted_state(id, entry, reason);
  last_checkpoint_end_ns_ = clock_.now_ns();  // min-pause applies after failures too (FLINK-9598)
  remember_ended(id);
  if (!announced) {
    // Its id never became durable and no task heard of it: outside this coordinator it
    // is a failed trigger request, not a checkpoint.
    fail_request(reason);
    return;
  }
  failure_manager_.handle_failure(id, reason);
  const CompletedCheckpoint* latest = store_.latest();
  const CheckpointId latest_completed_id = latest != nullptr ? latest->id : kNoCheckpointId;
  call_out([&] {
    if (listener_ != nullptr) listener_->on_aborted(id, reason);
    for (const TaskRef& task : all_tasks_) gateway_.notify_checkpoint_aborted(task, id, latest_completed_id);
  });
}

void CheckpointCoordinator::release_aborted_state(CheckpointId id, PendingEntry& entry,
                                                  CheckpointFailureReason reason) {
  switch (entry.phase) {
    case PendingPhase::kTriggering:
    case PendingPhase::kAwaitingAcks: {
      std::vector<std::string> blobs;
      for (const SubtaskStateHandle& state : entry.checkpoint.abort(reason)) {
        for (std::string& blob : all_blob_names(state)) blobs.push_back(std::move(blob));
      }
      discarder_.discard_blobs(blobs);
      return;
    }
    case PendingPhase::kFinalizing:
      if (entry.metadata_write_in_flight) {
        // on_metadata_persisted cleans up once the write has ended.
        aborted_finalizations_.emplace(id, std::move(*entry.completed));
      } else {
        // The write failed: no metadata exists, only the state.
        std::vector<std::string> blobs = state_blob_names(*entry.completed);
        for (std::string& shared : shared_blob_names(*entry.completed)) blobs.push_back(std::move(shared));
        discarder_.discard_blobs(blobs);
      }
      return;
  }
  CKPT_UNREACHABLE("unknown pending phase");
}

void CheckpointCoordinator::abort_all_pending(CheckpointFailureReason reason) {
  // A checkpoint whose metadata write is in flight has every acknowledgement; only that
  // write decides its outcome. Were it aborted now, the write could still become durable
  // (a JobManager crash before the cleanup) and a restarted JobManager would recover an
  // aborted checkpoint as completed. So failover and suspension let it finish, as
  // Flink's finalization is atomic with respect to failover; only shutdown aborts it.
  const bool spare_finalizing = reason != CheckpointFailureReason::kCheckpointCoordinatorShutdown;
  std::vector<CheckpointId> to_abort;
  for (const auto& [id, entry] : pending_) {
    if (!(spare_finalizing && entry.phase == PendingPhase::kFinalizing)) to_abort.push_back(id);
  }
  for (const CheckpointId id : to_abort) abort_pending(id, reason);
}

bool CheckpointCoordinator::has_finalizing_checkpoint() const {
  for (const auto& [id, entry] : pending_) {
    if (entry.phase == PendingPhase::kFinalizing) return true;
  }
  return false;
}

void CheckpointCoordinator::abort_queued_requests(CheckpointFailureReason reason) {
  for (std::size_t i = decider_.abort_all().size(); i > 0; --i) fail_request(reason);
}

// ---- Helpers ----

void CheckpointCoordinator::discard_ack_state(const SubtaskStateHandle& state) {
  discarder_.discard_blobs(all_blob_names(state));
}

void CheckpointCoordinator::discard_subsumed(const CompletedCheckpoint& old) {
  const CheckpointId old_id = old.id;
  // Unregistered only once the metadata is gone: until then a restarted JobManager
  // could still recover this checkpoint and needs its shared files.
  discarder_.discard_with_metadata(store_.metadata_name_of(old_id), state_blob_names(old),
                                   [this, old_id] { return shared_registry_.unregister_checkpoint(old_id); });
}

void CheckpointCoordinator::remember_deleted_shared(const std::string& name) {
  if (!name.starts_with(shared_state_prefix(config_.job_id))) return;
  if (!deleted_shared_.insert(name).second) return;
  deleted_shared_order_.push_back(name);
  if (deleted_shared_order_.size() > kMaxDeletedSharedBlobs) {
    deleted_shared_.erase(deleted_shared_order_.front());
    deleted_shared_order_.pop_front();
  }
}

bool CheckpointCoordinator::refers_to_deleted_shared(const SubtaskStateHandle& state) const {
  for (const std::string& name : state.shared_blob_names) {
    if (deleted_shared_.contains(name)) return true;
  }
  return false;
}

void CheckpointCoordinator::sweep_shared_state() {
  discarder_.discard_blobs(blob_store_.list(shared_state_prefix(config_.job_id)));
}

void CheckpointCoordinator::sweep_orphaned_state() {
  assert_entry_allowed();
  CKPT_ASSERT(lifecycle_ == CoordinatorLifecycle::kRunning || lifecycle_ == CoordinatorLifecycle::kShutdown,
              "sweep after recovery");
  sweep_shared_state();
  // Private blobs of checkpoints that are neither retained nor in flight.
  std::set<CheckpointId> live;
  for (const CompletedCheckpoint& retained : store_.retained()) live.insert(retained.id);
  for (const auto& [id, entry] : pending_) live.insert(id);
  for (const auto& [id, completed] : aborted_finalizations_) live.insert(id);
  const std::string prefix = CompletedCheckpointStore::metadata_prefix(config_.job_id);
  std::map<CheckpointId, std::vector<std::string>> orphans;
  for (const std::string& name : blob_store_.list(prefix)) {
    const std::string_view rest = std::string_view(name).substr(prefix.size());
    const std::size_t slash = rest.find('/');
    const auto id = slash == std::string_view::npos ? std::nullopt : parse_checkpoint_id(rest.substr(0, slash));
    if (!id.has_value() || live.contains(*id)) continue;
    orphans[*id].push_back(name);
  }
  for (auto& [id, names] : orphans) {
    const std::string metadata = store_.metadata_name_of(id);
    std::erase(names, metadata);
    // Metadata first, as for a subsumed checkpoint (it may be one whose removal failed).
    discarder_.discard_with_metadata(metadata, std::move(names));
  }
  check_invariants();
}

void CheckpointCoordinator::collect_referenced_blobs(std::set<std::string>& names) const {
  store_.collect_blob_names(names);
  for (const std::string& shared : shared_registry_.referenced_files()) names.insert(shared);
  for (const auto& [id, entry] : pending_) {
    entry.checkpoint.collect_blob_names(names);
    if (entry.completed.has_value()) {
      for (const std::string& blob : state_blob_names(*entry.completed)) names.insert(blob);
      for (const std::string& blob : shared_blob_names(*entry.completed)) names.insert(blob);
    }
  }
  for (const auto& [id, completed] : aborted_finalizations_) {
    for (const std::string& blob : state_blob_names(completed)) names.insert(blob);
    for (const std::string& blob : shared_blob_names(completed)) names.insert(blob);
  }
}

void CheckpointCoordinator::remember_ended(CheckpointId id) {
  recently_ended_.push_back(id);
  if (recently_ended_.size() > kRecentlyEndedIds) recently_ended_.pop_front();
}

bool CheckpointCoordinator::recently_ended(CheckpointId id) const {
  return std::find(recently_ended_.begin(), recently_ended_.end(), id) != recently_ended_.end();
}

void CheckpointCoordinator::defer_fail_job(CheckpointFailureReason reason) {
  // The job master reacts by failing over, which calls back into this coordinator; a
  // zero-delay timer keeps that out of the middle of an abort.
  timers_.schedule_after(0, guard_.wrap([this, reason] {
    if (lifecycle_ == CoordinatorLifecycle::kRunning && fail_job_ != nullptr) fail_job_(reason);
  }));
}

template <typename Call>
void CheckpointCoordinator::call_out(Call&& call) {
  CKPT_ASSERT(!in_external_call_, "nested external call");
  in_external_call_ = true;
  call();
  in_external_call_ = false;
}

void CheckpointCoordinator::assert_entry_allowed() const {
  CKPT_ASSERT(!in_external_call_, "gateway and listener callbacks must not call back into the coordinator");
}

void CheckpointCoordinator::check_invariants() const {
  CKPT_ASSERT(pending_.size() <= static_cast<std::size_t>(config_.max_concurrent_checkpoints),
              "more pending checkpoints than max-concurrent-checkpoints");
  CKPT_ASSERT(decider_.queued_count() <= config_.max_queued_requests, "request queue over its bound");
  if (triggering_id_.has_value()) {
    auto it = pending_.find(*triggering_id_);
    CKPT_ASSERT(it != pending_.end(), "the checkpoint being triggered is pending");
    CKPT_ASSERT(it->second.phase == PendingPhase::kTriggering, "the trigger in flight is in its triggering phase");
  }
  const CompletedCheckpoint* latest = store_.latest();
  if (!pending_.empty() && latest != nullptr) {
    CKPT_ASSERT(pending_.begin()->first > latest->id, "pending ids are above the latest completed id");
  }
  if (!pending_.empty()) {
    CKPT_ASSERT(pending_.rbegin()->first < id_counter_.next_id(), "pending ids were handed out by the counter");
  }
}

}  // namespace ckptsim
