#include "protocol/checkpoint/checkpoint_types.h"

#include "protocol/checkpoint/checksummed_writer.h"
#include "protocol/state/byte_io.h"

#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

namespace ckptsim {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'C', 'K', 'P', 'T', 'M', 'E', 'T', 'A'};
constexpr std::size_t kHeaderBytes = 24;
constexpr std::size_t kTrailerBytes = 8;
// The smallest encodings of one state entry and one metrics entry; used to refuse counts
// that cannot fit in the remaining bytes before allocating anything.
constexpr std::size_t kMinStateEntryBytes = 4 + 8 + 8 + 4;
constexpr std::size_t kMetricsEntryBytes = 4 + 5 * 8;
constexpr std::size_t kMinBlobNameEntryBytes = 4;

bool has_shared_state(const CompletedCheckpoint& checkpoint) {
  for (const auto& entry : checkpoint.states) {
    if (!entry.second.shared_blob_names.empty()) return true;
  }
  return false;
}

void write_payload(ChecksummedWriter& out, const CompletedCheckpoint& checkpoint, bool shared) {
  out.put_i64(checkpoint.id);
  out.put_i64(checkpoint.trigger_time_ns);
  out.put_i64(checkpoint.completion_time_ns);
  CKPT_ASSERT(checkpoint.states.size() <= UINT32_MAX, "too many subtask states");
  out.put_u32(static_cast<std::uint32_t>(checkpoint.states.size()));
  for (const auto& [subtask, state] : checkpoint.states) {
    out.put_u32(subtask);
    out.put_u64(state.state_size_bytes);
    out.put_u64(state.checksum);
    CKPT_ASSERT(state.blob_names.size() <= UINT32_MAX, "too many blobs in one state handle");
    out.put_u32(static_cast<std::uint32_t>(state.blob_names.size()));
    for (const std::string& blob : state.blob_names) out.put_string(blob);  // u32 length, then the bytes
    if (shared) {
      CKPT_ASSERT(state.shared_blob_names.size() <= UINT32_MAX, "too many shared blobs in one state handle");
      out.put_u32(static_cast<std::uint32_t>(state.shared_blob_names.size()));
      for (const std::string& blob : state.shared_blob_names) out.put_string(blob);
    }
  }
  CKPT_ASSERT(checkpoint.metrics.size() <= UINT32_MAX, "too many subtask metrics");
  out.put_u32(static_cast<std::uint32_t>(checkpoint.metrics.size()));
  for (const auto& [subtask, metrics] : checkpoint.metrics) {
    out.put_u32(subtask);
    out.put_i64(metrics.alignment_ns);
    out.put_i64(metrics.sync_ns);
    out.put_i64(metrics.async_ns);
    out.put_u64(metrics.state_size_bytes);
    out.put_u64(metrics.in_flight_bytes);
  }
}

// The exact size of the encoding, so that the writer allocates once.
std::size_t encoded_size_bytes(const CompletedCheckpoint& checkpoint, bool shared) {
  std::size_t size = kHeaderBytes + 3 * 8 + 4 + checkpoint.states.size() * kMinStateEntryBytes + 4 +
                     checkpoint.metrics.size() * kMetricsEntryBytes + kTrailerBytes;
  for (const auto& entry : checkpoint.states) {
    for (const std::string& blob : entry.second.blob_names) size += kMinBlobNameEntryBytes + blob.size();
    if (!shared) continue;
    size += 4;  // shared blob count
    for (const std::string& blob : entry.second.shared_blob_names) size += kMinBlobNameEntryBytes + blob.size();
  }
  return size;
}

Status corrupt(const std::string& what) { return Status::corruption("checkpoint metadata: " + what); }

// Reads one state entry after its subtask index. Returns an error for truncation.
Status read_names(ByteReader& in, std::vector<std::string>& names, const char* what) {
  std::uint32_t count = 0;
  if (!in.read_u32(count, what).is_ok()) return corrupt(std::string("truncated ") + what);
  if (count > in.remaining() / kMinBlobNameEntryBytes) return corrupt(std::string(what) + " exceeds the payload");
  names.resize(count);
  for (std::string& blob : names) {
    if (Status r = in.read_string(blob, in.remaining(), "blob name"); !r.is_ok()) return corrupt(r.message());
  }
  return Status::ok();
}

Result<SubtaskStateHandle> read_state(ByteReader& in, bool shared) {
  SubtaskStateHandle state;
  std::uint32_t blob_count = 0;
  Status s = in.read_u64(state.state_size_bytes, "state size");
  if (s.is_ok()) s = in.read_u64(state.checksum, "state checksum");
  if (s.is_ok()) s = in.read_u32(blob_count, "blob count");
  if (!s.is_ok()) return corrupt("truncated state entry: " + s.message());
  if (blob_count > in.remaining() / kMinBlobNameEntryBytes) return corrupt("blob count exceeds the payload");
  state.blob_names.resize(blob_count);
  for (std::string& blob : state.blob_names) {
    if (Status r = in.read_string(blob, in.remaining(), "blob name"); !r.is_ok()) return corrupt(r.message());
  }
  if (shared) {
    if (Status r = read_names(in, state.shared_blob_names, "shared blob count"); !r.is_ok()) return r;
  }
  return state;
}

Status read_states(ByteReader& in, CompletedCheckpoint& checkpoint, bool shared) {
  std::uint32_t count = 0;
  if (!in.read_u32(count, "state count").is_ok()) return corrupt("truncated state count");
  if (count > in.remaining() / kMinStateEntryBytes) return corrupt("state count exceeds the payload");
  std::optional<std::uint32_t> previous;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t subtask = 0;
    if (!in.read_u32(subtask, "state subtask").is_ok()) return corrupt("truncated state subtask");
    if (previous && subtask <= *previous) return corrupt("states not in increasing subtask order");
    previous = subtask;
    Result<SubtaskStateHandle> state = read_state(in, shared);
    if (!state.is_ok()) return state.status();
    checkpoint.states.emplace(subtask, std::move(state).value());
  }
  return Status::ok();
}

Status read_metrics(ByteReader& in, CompletedCheckpoint& checkpoint) {
  std::uint32_t count = 0;
  if (!in.read_u32(count, "metrics count").is_ok()) return corrupt("truncated metrics count");
  if (count > in.remaining() / kMetricsEntryBytes) return corrupt("metrics count exceeds the payload");
  std::optional<std::uint32_t> previous;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t subtask = 0;
    SubtaskCheckpointMetrics m;
    Status s = in.read_u32(subtask, "metrics subtask");
    if (s.is_ok()) s = in.read_i64(m.alignment_ns, "alignment");
    if (s.is_ok()) s = in.read_i64(m.sync_ns, "sync");
    if (s.is_ok()) s = in.read_i64(m.async_ns, "async");
    if (s.is_ok()) s = in.read_u64(m.state_size_bytes, "state size");
    if (s.is_ok()) s = in.read_u64(m.in_flight_bytes, "in-flight size");
    if (!s.is_ok()) return corrupt("truncated metrics entry");
    if (previous && subtask <= *previous) return corrupt("metrics not in increasing subtask order");
    previous = subtask;
    checkpoint.metrics.emplace(subtask, m);
  }
  return Status::ok();
}

Result<CompletedCheckpoint> read_payload(std::span<const std::uint8_t> payload, bool shared) {
  ByteReader in(payload);
  CompletedCheckpoint checkpoint;
  Status s = in.read_i64(checkpoint.id, "checkpoint id");
  if (s.is_ok()) s = in.read_i64(checkpoint.trigger_time_ns, "trigger time");
  if (s.is_ok()) s = in.read_i64(checkpoint.completion_time_ns, "completion time");
  if (!s.is_ok()) return corrupt("truncated payload header");
  if (checkpoint.id <= kNoCheckpointId) return corrupt("invalid checkpoint id " + std::to_string(checkpoint.id));
  if (Status r = read_states(in, checkpoint, shared); !r.is_ok()) return r;
  if (Status r = read_metrics(in, checkpoint); !r.is_ok()) return r;
  if (in.remaining() != 0) return corrupt(std::to_string(in.remaining()) + " trailing payload bytes");
  return checkpoint;
}

}  // namespace

std::string to_string(const TaskRef& task) {
  return "subtask " + std::to_string(task.subtask) + " attempt " + std::to_string(task.attempt);
}

const char* name(CheckpointFailureReason reason) {
  switch (reason) {
    case CheckpointFailureReason::kPeriodicSchedulerShutdown: return "PERIODIC_SCHEDULER_SHUTDOWN";
    case CheckpointFailureReason::kTooManyConcurrentCheckpoints: return "TOO_MANY_CONCURRENT_CHECKPOINTS";
    case CheckpointFailureReason::kTooManyCheckpointRequests: return "TOO_MANY_CHECKPOINT_REQUESTS";
    case CheckpointFailureReason::kMinimumTimeBetweenCheckpoints: return "MINIMUM_TIME_BETWEEN_CHECKPOINTS";
    case CheckpointFailureReason::kNotAllRequiredTasksRunning: return "NOT_ALL_REQUIRED_TASKS_RUNNING";
    case CheckpointFailureReason::kCheckpointExpired: return "CHECKPOINT_EXPIRED";
    case CheckpointFailureReason::kCheckpointSubsumed: return "CHECKPOINT_SUBSUMED";
    case CheckpointFailureReason::kCheckpointCoordinatorSuspend: return "CHECKPOINT_COORDINATOR_SUSPEND";
    case CheckpointFailureReason::kCheckpointCoordinatorShutdown: return "CHECKPOINT_COORDINATOR_SHUTDOWN";
    case CheckpointFailureReason::kJobFailover: return "JOB_FAILOVER_REGION";
    case CheckpointFailureReason::kJobFailure: return "JOB_FAILURE";
    case CheckpointFailureReason::kTriggerCheckpointFailure: return "TRIGGER_CHECKPOINT_FAILURE";
    case CheckpointFailureReason::kFinalizeCheckpointFailure: return "FINALIZE_CHECKPOINT_FAILURE";
    case CheckpointFailureReason::kIoException: return "IO_EXCEPTION";
    case CheckpointFailureReason::kCheckpointDeclined: return "CHECKPOINT_DECLINED";
    case CheckpointFailureReason::kCheckpointAsyncException: return "CHECKPOINT_ASYNC_EXCEPTION";
    case CheckpointFailureReason::kCheckpointDeclinedTaskNotReady: return "CHECKPOINT_DECLINED_TASK_NOT_READY";
    case CheckpointFailureReason::kCheckpointDeclinedTaskClosing: return "CHECKPOINT_DECLINED_TASK_CLOSING";
    case CheckpointFailureReason::kCheckpointDeclinedSubsumed: return "CHECKPOINT_DECLINED_SUBSUMED";
    case CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier:
      return "CHECKPOINT_DECLINED_ON_CANCELLATION_BARRIER";
    case CheckpointFailureReason::kCheckpointDeclinedInputEndOfStream:
      return "CHECKPOINT_DECLINED_INPUT_END_OF_STREAM";
    case CheckpointFailureReason::kCheckpointDeclinedAlignmentLimitExceeded:
      return "CHECKPOINT_DECLINED_ALIGNMENT_LIMIT_EXCEEDED";
    case CheckpointFailureReason::kTaskFailure: return "TASK_FAILURE";
    case CheckpointFailureReason::kTaskCheckpointFailure: return "TASK_CHECKPOINT_FAILURE";
  }
  CKPT_UNREACHABLE("unknown checkpoint failure reason");
}

bool is_pre_flight(CheckpointFailureReason reason) {
  switch (reason) {
    case CheckpointFailureReason::kPeriodicSchedulerShutdown:
    case CheckpointFailureReason::kTooManyConcurrentCheckpoints:
    case CheckpointFailureReason::kTooManyCheckpointRequests:
    case CheckpointFailureReason::kMinimumTimeBetweenCheckpoints:
    case CheckpointFailureReason::kNotAllRequiredTasksRunning:
      return true;
    case CheckpointFailureReason::kCheckpointExpired:
    case CheckpointFailureReason::kCheckpointSubsumed:
    case CheckpointFailureReason::kCheckpointCoordinatorSuspend:
    case CheckpointFailureReason::kCheckpointCoordinatorShutdown:
    case CheckpointFailureReason::kJobFailover:
    case CheckpointFailureReason::kJobFailure:
    case CheckpointFailureReason::kTriggerCheckpointFailure:
    case CheckpointFailureReason::kFinalizeCheckpointFailure:
    case CheckpointFailureReason::kIoException:
    case CheckpointFailureReason::kCheckpointDeclined:
    case CheckpointFailureReason::kCheckpointAsyncException:
    case CheckpointFailureReason::kCheckpointDeclinedTaskNotReady:
    case CheckpointFailureReason::kCheckpointDeclinedTaskClosing:
    case CheckpointFailureReason::kCheckpointDeclinedSubsumed:
    case CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier:
    case CheckpointFailureReason::kCheckpointDeclinedInputEndOfStream:
    case CheckpointFailureReason::kCheckpointDeclinedAlignmentLimitExceeded:
    case CheckpointFailureReason::kTaskFailure:
    case CheckpointFailureReason::kTaskCheckpointFailure:
      return false;
  }
  CKPT_UNREACHABLE("unknown checkpoint failure reason");
}

bool counts_toward_tolerable_failures(CheckpointFailureReason reason) {
  switch (reason) {
    case CheckpointFailureReason::kIoException:
    case CheckpointFailureReason::kCheckpointAsyncException:
    case CheckpointFailureReason::kCheckpointDeclined:
    case CheckpointFailureReason::kCheckpointExpired:
      return true;
    case CheckpointFailureReason::kPeriodicSchedulerShutdown:
    case CheckpointFailureReason::kTooManyConcurrentCheckpoints:
    case CheckpointFailureReason::kTooManyCheckpointRequests:
    case CheckpointFailureReason::kMinimumTimeBetweenCheckpoints:
    case CheckpointFailureReason::kNotAllRequiredTasksRunning:
    case CheckpointFailureReason::kCheckpointSubsumed:
    case CheckpointFailureReason::kCheckpointCoordinatorSuspend:
    case CheckpointFailureReason::kCheckpointCoordinatorShutdown:
    case CheckpointFailureReason::kJobFailover:
    case CheckpointFailureReason::kJobFailure:
    case CheckpointFailureReason::kTriggerCheckpointFailure:
    case CheckpointFailureReason::kFinalizeCheckpointFailure:
    case CheckpointFailureReason::kCheckpointDeclinedTaskNotReady:
    case CheckpointFailureReason::kCheckpointDeclinedTaskClosing:
    case CheckpointFailureReason::kCheckpointDeclinedSubsumed:
    case CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier:
    case CheckpointFailureReason::kCheckpointDeclinedInputEndOfStream:
    case CheckpointFailureReason::kCheckpointDeclinedAlignmentLimitExceeded:
    case CheckpointFailureReason::kTaskFailure:
    case CheckpointFailureReason::kTaskCheckpointFailure:
      return false;
  }
  CKPT_UNREACHABLE("unknown checkpoint failure reason");
}

std::vector<std::string> state_blob_names(const CompletedCheckpoint& checkpoint) {
  std::vector<std::string> names;
  for (const auto& entry : checkpoint.states) {
    names.insert(names.end(), entry.second.blob_names.begin(), entry.second.blob_names.end());
  }
  return names;
}

std::vector<std::string> shared_blob_names(const CompletedCheckpoint& checkpoint) {
  std::set<std::string> names;
  for (const auto& entry : checkpoint.states) {
    names.insert(entry.second.shared_blob_names.begin(), entry.second.shared_blob_names.end());
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> all_blob_names(const SubtaskStateHandle& state) {
  std::vector<std::string> names = state.blob_names;
  names.insert(names.end(), state.shared_blob_names.begin(), state.shared_blob_names.end());
  return names;
}

std::optional<CheckpointId> parse_checkpoint_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.front() == '0') return std::nullopt;
  CheckpointId value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::uint64_t fnv1a64(const std::uint8_t* data, std::size_t size) {
  std::uint64_t hash = kFnv1a64OffsetBasis;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= kFnv1a64Prime;
  }
  return hash;
}

Bytes serialize_checkpoint_metadata(const CompletedCheckpoint& checkpoint) {
  CKPT_ASSERT(checkpoint.id > kNoCheckpointId, "a completed checkpoint needs a positive id");
  CKPT_ASSERT(checkpoint.completion_time_ns >= checkpoint.trigger_time_ns, "completion before trigger");
  // The size is computed first so that the header's payload length is written in
  // place and every byte is hashed once, as it is written.
  const bool shared = has_shared_state(checkpoint);
  const std::size_t size_bytes = encoded_size_bytes(checkpoint, shared);
  ChecksummedWriter out(size_bytes);
  out.put_raw(kMagic);
  out.put_u32(kCheckpointMetadataVersion);
  out.put_u32(shared ? kMetadataFlagSharedState : 0);  // flags
  out.put_u64(size_bytes - kHeaderBytes - kTrailerBytes);  // payload length
  write_payload(out, checkpoint, shared);
  CKPT_ASSERT(out.size() == size_bytes - kTrailerBytes, "the encoded size was computed exactly");
  return std::move(out).finish_with_checksum();  // FNV-1a-64 over bytes [0, 24 + P)
}

Result<CompletedCheckpoint> deserialize_checkpoint_metadata(const Bytes& bytes) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes) {
    return corrupt("only " + std::to_string(bytes.size()) + " bytes, shorter than header and checksum");
  }
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return corrupt("bad magic");
  const std::uint64_t payload_bytes = load_le64(bytes.data() + 16);
  if (payload_bytes != bytes.size() - kHeaderBytes - kTrailerBytes) {
    return corrupt("payload length " + std::to_string(payload_bytes) + " does not match the buffer size " +
                   std::to_string(bytes.size()) + " (truncated or extended)");
  }
  const std::size_t checksum_offset = bytes.size() - kTrailerBytes;
  if (fnv1a64(bytes.data(), checksum_offset) != load_le64(bytes.data() + checksum_offset)) {
    return corrupt("checksum mismatch");
  }
  const std::uint32_t version = load_le32(bytes.data() + 8);
  const std::uint32_t flags = load_le32(bytes.data() + 12);
  if (version != kCheckpointMetadataVersion) return corrupt("unsupported format version " + std::to_string(version));
  if ((flags & ~kMetadataFlagSharedState) != 0) return corrupt("unknown flags " + std::to_string(flags));
  return read_payload(std::span<const std::uint8_t>(bytes.data() + kHeaderBytes, static_cast<std::size_t>(payload_bytes)),
                      (flags & kMetadataFlagSharedState) != 0);
}

}  // namespace ckptsim
