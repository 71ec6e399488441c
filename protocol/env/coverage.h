// Coverage marks on rare protocol paths (FoundationDB's CODE_PROBE, TigerBeetle's
// coverage marks): the runtime names the path it took ("barrier for an aborted
// checkpoint", "ack after timeout", ...) so that swarm testing can show every rare path
// was reached within its seed budget. A real runtime passes no sink; then a mark costs
// one pointer comparison.
//
// Marks are string literals with static storage; the catalogue of marks is the list
// kCoverageMarks below, so tests can check that each was hit.
#pragma once

#include <array>
#include <string_view>

namespace ckptsim {

class CoverageSink {
 public:
  virtual ~CoverageSink() = default;
  virtual void hit(std::string_view mark) = 0;
};

namespace coverage {
inline constexpr std::string_view kStaleBarrier = "barrier for an aborted or completed checkpoint";
inline constexpr std::string_view kAlignmentSubsumed = "higher barrier cancels the current alignment";
inline constexpr std::string_view kCancelMarker = "cancel marker aborts a checkpoint";
inline constexpr std::string_view kEndOfPartitionDuringAlignment = "end of partition during alignment";
inline constexpr std::string_view kCheckpointDeclined = "task declines a checkpoint";
inline constexpr std::string_view kAckDiscarded = "acknowledgement for an ended checkpoint (ack after timeout or abort)";
inline constexpr std::string_view kAckUnknown = "acknowledgement from a stale attempt or unknown checkpoint";
inline constexpr std::string_view kCheckpointExpired = "checkpoint expired";
inline constexpr std::string_view kCheckpointSubsumedPending = "pending checkpoint subsumed by a newer completion";
inline constexpr std::string_view kRestoreWithPendingTransactions = "restore with pending transactions";
inline constexpr std::string_view kCommitRetried = "sink retries a commit";
inline constexpr std::string_view kPrepareRetried = "sink retries a pre-commit";
inline constexpr std::string_view kFailoverWhileFinalizing = "failover while a checkpoint's metadata write is in flight";
inline constexpr std::string_view kTaskManagerRestartDetected = "task manager restart detected by instance id";
inline constexpr std::string_view kDeploymentTimedOut = "deployment timed out";
inline constexpr std::string_view kFinalCheckpointRetried = "final checkpoint failed and is retried";
inline constexpr std::string_view kRestartStrategyGaveUp = "restart strategy gave up";
inline constexpr std::string_view kJobManagerLostByTaskManager = "task manager releases tasks after losing the job manager";
inline constexpr std::string_view kRecoveryRetried = "job manager retries reading checkpoint metadata";
inline constexpr std::string_view kTaskFailureResent = "task manager resends an unacknowledged task failure";
inline constexpr std::string_view kSinkFinishedWithEmptyTransaction =
    "sink finishes with an empty transaction of a checkpoint that never completed";

inline constexpr std::string_view kSnapshotFailedTaskFailed =
    "task fails because its state cannot be captured (broken state backend)";

inline constexpr std::array<std::string_view, 22> kCoverageMarks = {
    kStaleBarrier, kAlignmentSubsumed, kCancelMarker, kEndOfPartitionDuringAlignment, kCheckpointDeclined,
    kAckDiscarded, kAckUnknown, kCheckpointExpired, kCheckpointSubsumedPending, kRestoreWithPendingTransactions,
    kCommitRetried, kPrepareRetried, kFailoverWhileFinalizing, kTaskManagerRestartDetected, kDeploymentTimedOut,
    kFinalCheckpointRetried, kRestartStrategyGaveUp, kJobManagerLostByTaskManager, kRecoveryRetried,
    kTaskFailureResent, kSinkFinishedWithEmptyTransaction, kSnapshotFailedTaskFailed,
};
}  // namespace coverage

inline void cover(CoverageSink* sink, std::string_view mark) {
  if (sink != nullptr) sink->hit(mark);
}

}  // namespace ckptsim
