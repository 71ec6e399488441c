#include "protocol/checkpoint/checkpoint_types.h"

#include <array>
#include <cstring>
#include <limits>
#include <optional>

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

class ByteWriter {
 public:
  void u32(std::uint32_t value) { put(value, 4); }
  void u64(std::uint64_t value) { put(value, 8); }
  void i64(std::int64_t value) { put(static_cast<std::uint64_t>(value), 8); }
  void raw(const std::uint8_t* data, std::size_t size) { bytes_.insert(bytes_.end(), data, data + size); }
  void patch_u64(std::size_t offset, std::uint64_t value) {
    CKPT_ASSERT(offset + 8 <= bytes_.size(), "patch beyond the written bytes");
    for (std::size_t i = 0; i < 8; ++i) bytes_[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  Bytes& bytes() { return bytes_; }

 private:
  void put(std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  Bytes bytes_;
};

// Bounds-checked little-endian reader. Every read reports failure instead of reading past
// the end, so a truncated buffer can only produce kCorruption.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::optional<std::uint32_t> u32() {
    auto value = get(4);
    if (!value) return std::nullopt;
    return static_cast<std::uint32_t>(*value);
  }
  std::optional<std::uint64_t> u64() { return get(8); }
  std::optional<std::int64_t> i64() {
    auto value = get(8);
    if (!value) return std::nullopt;
    return static_cast<std::int64_t>(*value);
  }
  std::optional<std::string> string(std::size_t length) {
    if (length > remaining()) return std::nullopt;
    std::string text(reinterpret_cast<const char*>(data_ + offset_), length);
    offset_ += length;
    return text;
  }
  std::size_t remaining() const { return size_ - offset_; }

 private:
  std::optional<std::uint64_t> get(std::size_t width) {
    if (width > remaining()) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value |= std::uint64_t{data_[offset_ + i]} << (8 * i);
    offset_ += width;
    return value;
  }
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

std::uint64_t read_u64_at(const Bytes& bytes, std::size_t offset) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value |= std::uint64_t{bytes[offset + i]} << (8 * i);
  return value;
}

void write_payload(ByteWriter& out, const CompletedCheckpoint& checkpoint) {
  out.i64(checkpoint.id);
  out.i64(checkpoint.trigger_time_ns);
  out.i64(checkpoint.completion_time_ns);
  CKPT_ASSERT(checkpoint.states.size() <= UINT32_MAX, "too many subtask states");
  out.u32(static_cast<std::uint32_t>(checkpoint.states.size()));
  for (const auto& [subtask, state] : checkpoint.states) {
    out.u32(subtask);
    out.u64(state.state_size_bytes);
    out.u64(state.checksum);
    CKPT_ASSERT(state.blob_names.size() <= UINT32_MAX, "too many blobs in one state handle");
    out.u32(static_cast<std::uint32_t>(state.blob_names.size()));
    for (const std::string& blob : state.blob_names) {
      CKPT_ASSERT(blob.size() <= UINT32_MAX, "blob name too long");
      out.u32(static_cast<std::uint32_t>(blob.size()));
      out.raw(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size());
    }
  }
  CKPT_ASSERT(checkpoint.metrics.size() <= UINT32_MAX, "too many subtask metrics");
  out.u32(static_cast<std::uint32_t>(checkpoint.metrics.size()));
  for (const auto& [subtask, metrics] : checkpoint.metrics) {
    out.u32(subtask);
    out.i64(metrics.alignment_ns);
    out.i64(metrics.sync_ns);
    out.i64(metrics.async_ns);
    out.u64(metrics.state_size_bytes);
    out.u64(metrics.in_flight_bytes);
  }
}

Status corrupt(const std::string& what) { return Status::corruption("checkpoint metadata: " + what); }

// Reads one state entry after its subtask index. Returns an error for truncation.
Result<SubtaskStateHandle> read_state(ByteReader& in) {
  SubtaskStateHandle state;
  auto size_bytes = in.u64();
  auto checksum = in.u64();
  auto blob_count = in.u32();
  if (!size_bytes || !checksum || !blob_count) return corrupt("truncated state entry");
  if (*blob_count > in.remaining() / kMinBlobNameEntryBytes) return corrupt("blob count exceeds the payload");
  state.state_size_bytes = *size_bytes;
  state.checksum = *checksum;
  state.blob_names.reserve(*blob_count);
  for (std::uint32_t i = 0; i < *blob_count; ++i) {
    auto length = in.u32();
    if (!length) return corrupt("truncated blob name length");
    auto blob = in.string(*length);
    if (!blob) return corrupt("truncated blob name");
    state.blob_names.push_back(std::move(*blob));
  }
  return state;
}

Status read_states(ByteReader& in, CompletedCheckpoint& checkpoint) {
  auto count = in.u32();
  if (!count) return corrupt("truncated state count");
  if (*count > in.remaining() / kMinStateEntryBytes) return corrupt("state count exceeds the payload");
  std::optional<std::uint32_t> previous;
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto subtask = in.u32();
    if (!subtask) return corrupt("truncated state subtask");
    if (previous && *subtask <= *previous) return corrupt("states not in increasing subtask order");
    previous = subtask;
    Result<SubtaskStateHandle> state = read_state(in);
    if (!state.is_ok()) return state.status();
    checkpoint.states.emplace(*subtask, std::move(state).value());
  }
  return Status::ok();
}

Status read_metrics(ByteReader& in, CompletedCheckpoint& checkpoint) {
  auto count = in.u32();
  if (!count) return corrupt("truncated metrics count");
  if (*count > in.remaining() / kMetricsEntryBytes) return corrupt("metrics count exceeds the payload");
  std::optional<std::uint32_t> previous;
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto subtask = in.u32();
    auto alignment = in.i64();
    auto sync = in.i64();
    auto async = in.i64();
    auto size_bytes = in.u64();
    auto in_flight = in.u64();
    if (!subtask || !alignment || !sync || !async || !size_bytes || !in_flight) {
      return corrupt("truncated metrics entry");
    }
    if (previous && *subtask <= *previous) return corrupt("metrics not in increasing subtask order");
    previous = subtask;
    checkpoint.metrics.emplace(*subtask, SubtaskCheckpointMetrics{*alignment, *sync, *async, *size_bytes, *in_flight});
  }
  return Status::ok();
}

Result<CompletedCheckpoint> read_payload(const std::uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  CompletedCheckpoint checkpoint;
  auto id = in.i64();
  auto trigger = in.i64();
  auto completion = in.i64();
  if (!id || !trigger || !completion) return corrupt("truncated payload header");
  if (*id <= kNoCheckpointId) return corrupt("invalid checkpoint id " + std::to_string(*id));
  checkpoint.id = *id;
  checkpoint.trigger_time_ns = *trigger;
  checkpoint.completion_time_ns = *completion;
  if (Status s = read_states(in, checkpoint); !s.is_ok()) return s;
  if (Status s = read_metrics(in, checkpoint); !s.is_ok()) return s;
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
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Bytes serialize_checkpoint_metadata(const CompletedCheckpoint& checkpoint) {
  CKPT_ASSERT(checkpoint.id > kNoCheckpointId, "a completed checkpoint needs a positive id");
  CKPT_ASSERT(checkpoint.completion_time_ns >= checkpoint.trigger_time_ns, "completion before trigger");
  ByteWriter out;
  out.raw(kMagic.data(), kMagic.size());
  out.u32(kCheckpointMetadataVersion);
  out.u32(0);  // flags
  out.u64(0);  // payload length, patched below
  write_payload(out, checkpoint);
  const std::size_t payload_bytes = out.bytes().size() - kHeaderBytes;
  out.patch_u64(16, payload_bytes);
  out.u64(fnv1a64(out.bytes().data(), out.bytes().size()));
  return std::move(out.bytes());
}

Result<CompletedCheckpoint> deserialize_checkpoint_metadata(const Bytes& bytes) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes) {
    return corrupt("only " + std::to_string(bytes.size()) + " bytes, shorter than header and checksum");
  }
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return corrupt("bad magic");
  const std::uint64_t payload_bytes = read_u64_at(bytes, 16);
  if (payload_bytes != bytes.size() - kHeaderBytes - kTrailerBytes) {
    return corrupt("payload length " + std::to_string(payload_bytes) + " does not match the buffer size " +
                   std::to_string(bytes.size()) + " (truncated or extended)");
  }
  const std::size_t checksum_offset = bytes.size() - kTrailerBytes;
  if (fnv1a64(bytes.data(), checksum_offset) != read_u64_at(bytes, checksum_offset)) {
    return corrupt("checksum mismatch");
  }
  ByteReader header(bytes.data() + 8, 8);
  const std::uint32_t version = *header.u32();
  const std::uint32_t flags = *header.u32();
  if (version != kCheckpointMetadataVersion) return corrupt("unsupported format version " + std::to_string(version));
  if (flags != 0) return corrupt("unknown flags " + std::to_string(flags));
  return read_payload(bytes.data() + kHeaderBytes, static_cast<std::size_t>(payload_bytes));
}

}  // namespace ckptsim
