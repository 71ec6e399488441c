// liveness.checkpoints: once every fault has healed and the job's last deployment has
// restored, the periodic scheduler keeps triggering checkpoints (FLINK-13256: a failover
// that aborted the pending checkpoints must not leave the trigger stopped).
//
// The window checked is [start, stop): start is the later of the fault phase's end and
// the last task restore of the last deployment; stop is the first event after start that
// changes the rules (a task finishes, the job finishes or fails, a new deployment, a
// coordinator reset) or the end of the run; a window ended by a new deployment, a reset
// or a failed job is not judged (see judged_window_end). Inside it, every stretch without a trigger
// report must be at most
//     max(interval, min-pause) + interval + slack
// long, not counting the time during which max-concurrent-checkpoints checkpoints were
// pending (no trigger is allowed then). Times are true (simulated) times of the
// observations, not the coordinator's possibly skewed clock; a trigger is observed once
// its id is durable. The slack (kSlackNs) covers that, the restore cost, the tasks'
// running reports, and storage requests issued during the fault phase that finish after
// it (a slow write queued behind others delays the next trigger's id by ~0.35 s).
#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "oracle/checkers.h"

namespace ckptsim::oracle {
namespace {

constexpr DurationNs kSlackNs = 1 * kSecond;

bool ends_window(ObservedKind kind) {
  switch (kind) {
    case ObservedKind::kTaskFinished:
    case ObservedKind::kJobFinished:
    case ObservedKind::kJobFailed:
    case ObservedKind::kJobRestore:
    case ObservedKind::kCoordinatorReset:
    case ObservedKind::kAllInputCompleted:
    case ObservedKind::kRunEnded: return true;
    default: return false;
  }
}

// A failover is not observed; a window that a new deployment, a coordinator reset or a
// failed job ends may have had one (the job was restarting, no trigger was due), so it
// is not judged.
bool judged_window_end(ObservedKind kind) {
  return kind != ObservedKind::kJobRestore && kind != ObservedKind::kCoordinatorReset && kind != ObservedKind::kJobFailed;
}

}  // namespace

void check_checkpoint_progress(const JudgeContext& context, ViolationLog& log) {
  const CheckpointCoordinatorConfig& checkpointing = context.config.job.checkpointing;
  if (!context.config.job.checkpointing_enabled || checkpointing.interval_ns <= 0 || !context.config.check_liveness) {
    log.add_note(kLivenessCheckpoints, "no periodic checkpoints in this run");
    return;
  }
  const auto& events = context.observations.events;
  // start: the fault phase's end and the last deployment's last restore.
  TimeNs start_ns = 0;
  bool healed = false;
  std::size_t last_deploy = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind == ObservedKind::kFaultPhaseEnded) {
      start_ns = std::max(start_ns, events[i].reported_time_ns);
      healed = true;
    }
    if (events[i].kind == ObservedKind::kJobRestore) last_deploy = i;
  }
  if (!healed) return;                       // the run ended inside the fault phase
  if (last_deploy == events.size()) return;  // never deployed: liveness.finish reports it
  std::size_t first = events.size();
  for (std::size_t i = last_deploy + 1; i < events.size(); ++i) {
    if (events[i].kind == ObservedKind::kTaskRestored) {
      start_ns = std::max(start_ns, events[i].time_ns);
      first = i + 1;
    }
  }
  if (first == events.size()) return;  // the last deployment never restored: nothing ran
  const DurationNs allowed_ns = std::max(checkpointing.interval_ns, checkpointing.min_pause_ns) +
                                checkpointing.interval_ns + kSlackNs;
  const auto max_pending = static_cast<std::size_t>(std::max(checkpointing.max_concurrent_checkpoints, 1));
  std::set<CheckpointId> pending;
  const auto apply = [&pending](const ObservedEvent& event) {
    if (event.kind == ObservedKind::kCheckpointTriggered) pending.insert(event.checkpoint_id);
    if (event.kind == ObservedKind::kCheckpointCompleted || event.kind == ObservedKind::kCheckpointAborted) {
      pending.erase(event.checkpoint_id);
    }
    if (event.kind == ObservedKind::kCoordinatorReset) pending.clear();
  };
  std::size_t i = 0;
  for (; i < events.size() && (i < first || events[i].time_ns < start_ns); ++i) apply(events[i]);
  log.count_checked(kLivenessCheckpoints);
  TimeNs quiet_since_ns = start_ns;  // the last trigger decision, or start
  DurationNs blocked_ns = 0;         // time at max-concurrent since quiet_since_ns
  TimeNs previous_ns = start_ns;
  std::optional<Violation> violation;   // reported once the window's end shows it counts
  for (; i < events.size(); ++i) {
    const ObservedEvent& event = events[i];
    const TimeNs now_ns = event.time_ns;
    if (pending.size() >= max_pending) blocked_ns += std::max<DurationNs>(0, now_ns - std::max(previous_ns, quiet_since_ns));
    const DurationNs quiet_ns = now_ns - quiet_since_ns - blocked_ns;
    if (quiet_ns > allowed_ns && !violation) {
      violation = Violation{std::string(kLivenessCheckpoints), event.time_ns, event.event_index,
                            "no checkpoint was triggered from " + format_time(quiet_since_ns) + " to " +
                                format_time(now_ns) + " (" + format_duration(quiet_ns) +
                                " with room for one; the interval is " + format_duration(checkpointing.interval_ns) +
                                "; the faults had healed and every task had restored)"};
    }
    if (ends_window(event.kind)) {
      if (violation && judged_window_end(event.kind)) {
        log.report(kLivenessCheckpoints, violation->time_ns, violation->event_index, violation->explanation);
      }
      return;
    }
    apply(event);
    if (event.kind == ObservedKind::kCheckpointTriggered) {
      quiet_since_ns = std::max(quiet_since_ns, now_ns);
      blocked_ns = 0;
    }
    previous_ns = std::max(previous_ns, now_ns);
  }
}

}  // namespace ckptsim::oracle
