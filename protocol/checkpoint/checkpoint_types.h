// Vocabulary of the checkpoint coordinator: checkpoint ids, task references, the state a
// subtask acknowledges, failure reasons, completed checkpoints and their durable metadata.
//
// Invariants:
//  * CheckpointId values handed out by one job strictly increase, across JobManager
//    restarts too (see CheckpointIdCounter); the first id is 1, 0 means "none".
//  * A TaskRef names one execution attempt of one subtask. Two refs with the same subtask
//    and different attempts are different tasks: acknowledgements are counted per task and
//    attempt, never per TaskManager.
//  * A CompletedCheckpoint holds exactly one state handle per subtask it waited for.
//
// Metadata format (version 1), all integers little-endian, fixed width:
//
//   offset  size  field
//   0       8     magic "CKPTMETA"
//   8       4     u32 format version (kCheckpointMetadataVersion)
//   12      4     u32 flags, must be 0
//   16      8     u64 payload length P
//   24      P     payload
//   24+P    8     u64 FNV-1a-64 over bytes [0, 24+P)
//
//   flags: 0, or kMetadataFlagSharedState (bit 0) when any state handle refers to shared
//   state (incremental checkpoints); only then does every state entry carry, after its
//   blob names, u32 S shared blob names, S x { u32 length L, L bytes }. A checkpoint
//   without shared state is written exactly as before the flag existed.
//
//   payload := i64 checkpoint id, i64 trigger time ns, i64 completion time ns,
//              u32 N states,  N x { u32 subtask, u64 state size bytes, u64 checksum,
//                                   u32 B blob names, B x { u32 length L, L bytes } },
//              u32 M metrics, M x { u32 subtask, i64 alignment ns, i64 sync ns,
//                                   i64 async ns, u64 state size bytes, u64 in-flight bytes }
//   States and metrics are written in increasing subtask order; a reader rejects any other
//   order, a length that does not match, trailing bytes, an unknown version and a checksum
//   mismatch with kCorruption. A corrupt or truncated buffer never yields a checkpoint.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/base/time.h"
#include "protocol/checkpoint/subtask_map.h"
#include "protocol/env/blob_store.h"

namespace ckptsim {

using CheckpointId = std::int64_t;
inline constexpr CheckpointId kNoCheckpointId = 0;

// One execution attempt of one subtask.
struct TaskRef {
  std::uint32_t subtask = 0;  // dense global subtask index
  std::uint32_t attempt = 0;  // execution attempt number; increases on every redeploy

  friend auto operator<=>(const TaskRef&, const TaskRef&) = default;
  friend bool operator==(const TaskRef&, const TaskRef&) = default;
};

std::string to_string(const TaskRef& task);

// What a subtask reports for its part of a checkpoint: the blobs that hold its snapshot.
// The blobs are owned by the checkpoint once acknowledged: the coordinator removes them
// when the checkpoint is aborted or subsumed, and it removes the blobs of acks it rejects.
// Tasks must therefore name blobs uniquely per (checkpoint id, subtask, attempt) and never
// write a name again once it may have been handed to the coordinator: a removal issued
// for a rejected ack may complete after a later write of the same name.
//
// Incremental checkpoints (Flink's IncrementalRemoteKeyedStateHandle) split the blobs:
// blob_names are PRIVATE to this checkpoint (owned as above), shared_blob_names are
// shared files (immutable RocksDB SST files) that other checkpoints of the same task
// may refer to as well. Shared blobs are owned by the coordinator's SharedStateRegistry
// once a checkpoint referring to them completed: they are removed only when no retained
// checkpoint refers to them any more. Sorted, no duplicates.
struct SubtaskStateHandle {
  std::vector<std::string> blob_names;
  std::uint64_t state_size_bytes = 0;
  std::uint64_t checksum = 0;
  std::vector<std::string> shared_blob_names = {};

  friend bool operator==(const SubtaskStateHandle&, const SubtaskStateHandle&) = default;
};

struct SubtaskCheckpointMetrics {
  DurationNs alignment_ns = 0;
  DurationNs sync_ns = 0;
  DurationNs async_ns = 0;
  std::uint64_t state_size_bytes = 0;
  std::uint64_t in_flight_bytes = 0;

  friend bool operator==(const SubtaskCheckpointMetrics&, const SubtaskCheckpointMetrics&) = default;
};

// Why a checkpoint (or a request to trigger one) failed; modelled on Flink's
// CheckpointFailureReason. Pre-flight reasons fail a request before a checkpoint id exists.
enum class CheckpointFailureReason {
  // Pre-flight: the request never became a checkpoint.
  kPeriodicSchedulerShutdown,
  kTooManyConcurrentCheckpoints,
  kTooManyCheckpointRequests,
  kMinimumTimeBetweenCheckpoints,
  kNotAllRequiredTasksRunning,
  // Coordinator side.
  kCheckpointExpired,
  kCheckpointSubsumed,
  kCheckpointCoordinatorSuspend,
  kCheckpointCoordinatorShutdown,
  kJobFailover,
  kJobFailure,
  kTriggerCheckpointFailure,
  kFinalizeCheckpointFailure,
  kIoException,
  // Task side (reported with a decline).
  kCheckpointDeclined,
  kCheckpointAsyncException,
  kCheckpointDeclinedTaskNotReady,
  kCheckpointDeclinedTaskClosing,
  kCheckpointDeclinedSubsumed,
  kCheckpointDeclinedOnCancellationBarrier,
  kCheckpointDeclinedInputEndOfStream,
  kCheckpointDeclinedAlignmentLimitExceeded,
  kTaskFailure,
  kTaskCheckpointFailure,
};

// Flink's upper-case name, e.g. "CHECKPOINT_EXPIRED".
const char* name(CheckpointFailureReason reason);

// True for reasons that fail a request before a checkpoint id was assigned.
bool is_pre_flight(CheckpointFailureReason reason);

// Flink's CheckpointFailureManager rule: only IO_EXCEPTION, CHECKPOINT_ASYNC_EXCEPTION,
// CHECKPOINT_DECLINED and CHECKPOINT_EXPIRED count against
// execution.checkpointing.tolerable-failed-checkpoints; every other reason is ignored.
bool counts_toward_tolerable_failures(CheckpointFailureReason reason);

struct CompletedCheckpoint {
  CheckpointId id = kNoCheckpointId;
  TimeNs trigger_time_ns = 0;
  TimeNs completion_time_ns = 0;
  SubtaskMap<SubtaskStateHandle> states;         // by subtask, increasing
  SubtaskMap<SubtaskCheckpointMetrics> metrics;  // by subtask, increasing

  friend bool operator==(const CompletedCheckpoint&, const CompletedCheckpoint&) = default;
};

// Every PRIVATE blob the checkpoint's states reference (not its metadata blob, not its
// shared blobs), in subtask order.
std::vector<std::string> state_blob_names(const CompletedCheckpoint& checkpoint);
// Every shared blob the checkpoint's states reference, sorted, without duplicates.
std::vector<std::string> shared_blob_names(const CompletedCheckpoint& checkpoint);
// A handle's private and shared blobs, in that order.
std::vector<std::string> all_blob_names(const SubtaskStateHandle& state);

inline constexpr std::uint32_t kMetadataFlagSharedState = 1u;

inline constexpr std::uint32_t kCheckpointMetadataVersion = 1;

Bytes serialize_checkpoint_metadata(const CompletedCheckpoint& checkpoint);
Result<CompletedCheckpoint> deserialize_checkpoint_metadata(const Bytes& bytes);

// Parses a positive decimal checkpoint id ("42"); nullopt for anything else (signs,
// leading zeros, other characters, overflow, zero).
std::optional<CheckpointId> parse_checkpoint_id(std::string_view text);

// FNV-1a, 64 bit: detects every single-byte change (each step is a bijection of the state).
std::uint64_t fnv1a64(const std::uint8_t* data, std::size_t size);

}  // namespace ckptsim
