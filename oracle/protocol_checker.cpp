// Protocol invariants, checked over the whole event log in order:
//   protocol.ids_increase, protocol.max_concurrent, protocol.min_pause,
//   checkpoint.latest_discarded, recovery.restored_not_completed,
//   recovery.restored_not_latest (coordinator and recovery), and
//   sink.commit_without_completed_checkpoint, sink.commit_unknown_transaction,
//   sink.double_commit, sink.commit_order (the external store).
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"

namespace ckptsim::oracle {
namespace {

std::string checkpoint_text(CheckpointId id) { return "checkpoint " + std::to_string(id); }

std::string id_list(const std::set<CheckpointId>& ids) {
  std::string text;
  for (CheckpointId id : ids) text += (text.empty() ? "" : ", ") + std::to_string(id);
  return "{" + text + "}";
}

class CoordinatorCheck {
 public:
  CoordinatorCheck(const JudgeContext& context, ViolationLog& log)
      : log_(log), config_(context.config.job.checkpointing), observations_(context.observations) {}

  void run() {
    for (const ObservedEvent& event : observations_.events) {
      switch (event.kind) {
        case ObservedKind::kCheckpointTriggered: on_triggered(event); break;
        case ObservedKind::kCheckpointCompleted: on_completed(event); break;
        case ObservedKind::kCheckpointAborted:
          pending_.erase(event.checkpoint_id);
          end_times_ns_.push_back(event.reported_time_ns);
          break;
        case ObservedKind::kCheckpointSubsumed: on_subsumed(event); break;
        case ObservedKind::kCoordinatorReset:
          // The new coordinator starts without pending checkpoints and without a last end.
          pending_.clear();
          end_times_ns_.clear();
          break;
        case ObservedKind::kJobRestore:
        case ObservedKind::kTaskRestored: on_restore(event); break;
        default: break;
      }
    }
  }

 private:
  void on_triggered(const ObservedEvent& event) {
    const CheckpointId id = event.checkpoint_id;
    log_.count_checked(kProtocolIdsIncrease);
    if (last_triggered_.has_value() && id <= *last_triggered_) {
      log_.report(kProtocolIdsIncrease, event.time_ns, event.event_index,
                  checkpoint_text(id) + " triggered after " + checkpoint_text(*last_triggered_));
    }
    last_triggered_ = std::max(id, last_triggered_.value_or(id));
    pending_.insert(id);
    log_.count_checked(kProtocolMaxConcurrent);
    if (pending_.size() > static_cast<std::size_t>(std::max(config_.max_concurrent_checkpoints, 1))) {
      log_.report(kProtocolMaxConcurrent, event.time_ns, event.event_index,
                  std::to_string(pending_.size()) + " checkpoints pending " + id_list(pending_) +
                      ", max-concurrent-checkpoints is " + std::to_string(config_.max_concurrent_checkpoints));
    }
    if (config_.min_pause_ns <= 0) return;
    log_.count_checked(kProtocolMinPause);
    // The coordinator decided at the trigger time (reported_time_ns); the triggered event
    // is observed later (after the id is persisted), and with concurrent checkpoints
    // another one may end in between. Min-pause is measured from the last end before
    // the decision. Every time here is on the coordinator's clock (see
    // ObservationRecorder::set_coordinator_clock): a skewed clock measures its own pause.
    // An end at the very instant of the decision may have been handled after it (a paused
    // coordinator resumes with both due at once): only ends strictly before count.
    const auto after = std::lower_bound(end_times_ns_.begin(), end_times_ns_.end(), event.reported_time_ns);
    if (after == end_times_ns_.begin()) return;
    const TimeNs last_end_ns = *std::prev(after);
    if (event.reported_time_ns - last_end_ns < config_.min_pause_ns) {
      log_.report(kProtocolMinPause, event.time_ns, event.event_index,
                  checkpoint_text(id) + " triggered at " + format_time(event.reported_time_ns) + ", " +
                      format_duration(event.reported_time_ns - last_end_ns) +
                      " after the previous checkpoint ended; min-pause is " + format_duration(config_.min_pause_ns));
    }
  }

  void on_completed(const ObservedEvent& event) {
    const CheckpointId id = event.checkpoint_id;
    if (latest_completed_.has_value() && id <= *latest_completed_) {
      log_.report(kProtocolIdsIncrease, event.time_ns, event.event_index,
                  checkpoint_text(id) + " completed after " + checkpoint_text(*latest_completed_));
    }
    latest_completed_ = std::max(id, latest_completed_.value_or(id));
    completed_.insert(id);
    pending_.erase(id);
    end_times_ns_.push_back(event.reported_time_ns);
  }

  void on_subsumed(const ObservedEvent& event) {
    log_.count_checked(kCheckpointLatestDiscarded);
    if (latest_completed_ != event.checkpoint_id) return;
    log_.report(kCheckpointLatestDiscarded, event.time_ns, event.event_index,
                checkpoint_text(event.checkpoint_id) + " was discarded while it is the latest completed checkpoint");
  }

  void on_restore(const ObservedEvent& event) {
    const CheckpointId id = event.checkpoint_id;
    const std::string who = event.kind == ObservedKind::kJobRestore ? "the job" : "a task";
    if (id != kNoCheckpointId) {
      log_.count_checked(kRecoveryRestoredNotCompleted);
      if (!completed_.contains(id)) {
        log_.report(kRecoveryRestoredNotCompleted, event.time_ns, event.event_index,
                    who + " was restored from " + checkpoint_text(id) + ", which never completed");
      }
    }
    if (event.kind != ObservedKind::kJobRestore) return;
    log_.count_checked(kRecoveryRestoredNotLatest);
    if (latest_completed_.has_value() && id < *latest_completed_) {
      log_.report(kRecoveryRestoredNotLatest, event.time_ns, event.event_index,
                  "the job was restored from " + (id == kNoCheckpointId ? "no checkpoint" : checkpoint_text(id)) +
                      " while " + checkpoint_text(*latest_completed_) + " is the latest completed");
    }
  }

  ViolationLog& log_;
  const CheckpointCoordinatorConfig& config_;
  const RunObservations& observations_;
  std::optional<CheckpointId> last_triggered_;
  std::optional<CheckpointId> latest_completed_;
  std::set<CheckpointId> pending_;
  std::set<CheckpointId> completed_;
  std::vector<TimeNs> end_times_ns_;   // completions and aborts, coordinator clock, in event order
};

class SinkCommitCheck {
 public:
  SinkCommitCheck(const JudgeContext& context, ViolationLog& log)
      : log_(log), observations_(context.observations),
        // Without checkpointing a sink commits at the end of its input, with no checkpoint.
        require_completed_(context.config.job.checkpointing_enabled),
        prepared_(context.observations.transactions.size(), false),
        applied_at_(context.observations.transactions.size(), std::nullopt) {}

  void run() {
    for (const ObservedEvent& event : observations_.events) {
      switch (event.kind) {
        case ObservedKind::kCheckpointCompleted:
        case ObservedKind::kJobRestore:
          // Restoring a checkpoint counts as completing it (recover-and-commit).
          latest_committable_ = std::max(latest_committable_, event.checkpoint_id);
          break;
        case ObservedKind::kStorePrepared: prepared_[event.transaction] = true; break;
        case ObservedKind::kStoreCommitted: on_committed(event); break;
        default: break;
      }
    }
  }

 private:
  void on_committed(const ObservedEvent& event) {
    const TransactionInfo& txn = observations_.transactions[event.transaction];
    const std::string name = quoted(txn.name);
    log_.count_checked(kSinkCommitUnknownTransaction);
    log_.count_checked(kSinkDoubleCommit);
    if (!prepared_[event.transaction]) {
      log_.report(kSinkCommitUnknownTransaction, event.time_ns, event.event_index,
                  "transaction " + name + " committed but never prepared");
    }
    if (applied_at_[event.transaction].has_value()) {
      log_.report(kSinkDoubleCommit, event.time_ns, event.event_index,
                  "transaction " + name + " applied again; first applied at event " +
                      std::to_string(*applied_at_[event.transaction]));
    } else {
      applied_at_[event.transaction] = event.event_index;
    }
    if (require_completed_) log_.count_checked(kSinkCommitWithoutCompleted);
    if (require_completed_ && txn.checkpoint_id > latest_committable_) {
      log_.report(kSinkCommitWithoutCompleted, event.time_ns, event.event_index,
                  "transaction " + name + " for " + checkpoint_text(txn.checkpoint_id) +
                      " committed, but the latest completed or restored checkpoint is " +
                      std::to_string(latest_committable_));
    }
    check_order(event, txn);
  }

  void check_order(const ObservedEvent& event, const TransactionInfo& txn) {
    if (!txn.well_formed) return;
    log_.count_checked(kSinkCommitOrder);
    auto [it, inserted] = highest_committed_.try_emplace({txn.sink_operator, txn.sink_subtask}, txn.checkpoint_id);
    if (inserted || txn.checkpoint_id >= it->second) {
      it->second = std::max(it->second, txn.checkpoint_id);
      return;
    }
    log_.report(kSinkCommitOrder, event.time_ns, event.event_index,
                "transaction " + quoted(txn.name) + " for " + checkpoint_text(txn.checkpoint_id) +
                    " committed after the same sink subtask committed " + checkpoint_text(it->second));
  }

  ViolationLog& log_;
  const RunObservations& observations_;
  bool require_completed_;
  CheckpointId latest_committable_ = kNoCheckpointId;
  std::vector<bool> prepared_;                          // by transaction
  std::vector<std::optional<std::uint64_t>> applied_at_;  // by transaction: event index of the first commit
  std::map<std::pair<std::uint32_t, std::uint32_t>, CheckpointId> highest_committed_;  // (sink name, subtask)
};

}  // namespace

void check_coordinator(const JudgeContext& context, ViolationLog& log) { CoordinatorCheck(context, log).run(); }

void check_sink_commits(const JudgeContext& context, ViolationLog& log) { SinkCommitCheck(context, log).run(); }

}  // namespace ckptsim::oracle
