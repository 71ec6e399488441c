#include "oracle/observations.h"

#include <utility>

#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

// A positive decimal number without sign or leading zeros that fits in `max`.
std::optional<std::uint64_t> parse_positive_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace

const char* observed_kind_name(ObservedKind kind) {
  switch (kind) {
    case ObservedKind::kCheckpointTriggered: return "checkpoint triggered";
    case ObservedKind::kCheckpointCompleted: return "checkpoint completed";
    case ObservedKind::kCheckpointAborted: return "checkpoint aborted";
    case ObservedKind::kCheckpointSubsumed: return "checkpoint subsumed";
    case ObservedKind::kTriggerRequestDropped: return "trigger request dropped";
    case ObservedKind::kCoordinatorReset: return "coordinator reset";
    case ObservedKind::kSnapshotCaptured: return "snapshot captured";
    case ObservedKind::kTaskRestored: return "task restored";
    case ObservedKind::kTaskFinished: return "task finished";
    case ObservedKind::kCommitRequested: return "commit requested";
    case ObservedKind::kJobRestore: return "job restore";
    case ObservedKind::kJobFinished: return "job finished";
    case ObservedKind::kJobFailed: return "job failed";
    case ObservedKind::kStorePrepared: return "store prepared";
    case ObservedKind::kStoreCommitted: return "store committed";
    case ObservedKind::kStoreCommitRepeated: return "store commit repeated";
    case ObservedKind::kStoreAborted: return "store aborted";
    case ObservedKind::kStoreDirectWrite: return "store direct write";
    case ObservedKind::kAllInputCompleted: return "all input completed";
    case ObservedKind::kFaultPhaseEnded: return "fault phase ended";
    case ObservedKind::kRunEnded: return "run ended";
  }
  CKPT_UNREACHABLE("unknown observed kind");
}

std::optional<TransactionName> parse_transaction_name(std::string_view name) {
  const std::size_t last = name.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const std::size_t middle = name.rfind('/', last - 1);
  if (middle == std::string_view::npos || middle == 0) return std::nullopt;
  const auto id = parse_positive_decimal(name.substr(last + 1), static_cast<std::uint64_t>(INT64_MAX));
  std::string_view subtask_text = name.substr(middle + 1, last - middle - 1);
  // Subtask index 0 is the one number parse_positive_decimal rejects.
  const auto subtask = subtask_text == "0" ? std::optional<std::uint64_t>(0)
                                          : parse_positive_decimal(subtask_text, UINT32_MAX);
  if (!id.has_value() || *id == 0 || !subtask.has_value()) return std::nullopt;
  return TransactionName{std::string(name.substr(0, middle)), static_cast<std::uint32_t>(*subtask),
                         static_cast<CheckpointId>(*id)};
}

std::string make_transaction_name(std::string_view sink_operator, std::uint32_t sink_subtask, CheckpointId id) {
  return std::string(sink_operator) + "/" + std::to_string(sink_subtask) + "/" + std::to_string(id);
}

std::span<const Record> RunObservations::batch_records(std::uint32_t batch) const {
  CKPT_ASSERT(batch < batches.size(), "batch index out of range");
  const RecordBatch& b = batches[batch];
  CKPT_ASSERT(b.begin + b.count <= records.size(), "a batch lies inside the record pool");
  return std::span<const Record>(records.data() + b.begin, b.count);
}

ObservationRecorder::ObservationRecorder(std::function<TimeNs()> now, std::function<std::uint64_t()> event_index)
    : now_(std::move(now)), event_index_(std::move(event_index)) {
  CKPT_ASSERT(now_ != nullptr, "the recorder needs a clock");
  CKPT_ASSERT(event_index_ != nullptr, "the recorder needs the event index");
}

ObservedEvent& ObservationRecorder::append(ObservedKind kind) {
  ObservedEvent event;
  event.kind = kind;
  event.time_ns = now_();
  event.event_index = event_index_();
  observations_.events.push_back(event);
  return observations_.events.back();
}

std::uint32_t ObservationRecorder::intern_sink_operator(std::string_view name) {
  auto [it, inserted] = sink_operator_index_.try_emplace(std::string(name),
                                                         static_cast<std::uint32_t>(observations_.sink_operator_names.size()));
  if (inserted) observations_.sink_operator_names.emplace_back(name);
  return it->second;
}

std::uint32_t ObservationRecorder::intern_transaction(std::string name) {
  auto it = transaction_index_.find(name);
  if (it != transaction_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(observations_.transactions.size());
  TransactionInfo info;
  if (auto parsed = parse_transaction_name(name)) {
    info.well_formed = true;
    info.sink_operator = intern_sink_operator(parsed->sink_operator);
    info.sink_subtask = parsed->sink_subtask;
    info.checkpoint_id = parsed->checkpoint_id;
  } else {
    info.sink_operator = intern_sink_operator("");
  }
  info.name = name;
  transaction_index_.emplace(std::move(name), index);
  observations_.transactions.push_back(std::move(info));
  return index;
}

std::uint32_t ObservationRecorder::add_view(const OperatorStateView& view) {
  observations_.views.push_back(view);
  return static_cast<std::uint32_t>(observations_.views.size() - 1);
}

std::uint32_t ObservationRecorder::add_batch(std::uint32_t sink_operator, std::uint32_t sink_subtask,
                                             std::uint32_t transaction, const std::vector<Record>& records) {
  RecordBatch batch{sink_operator, sink_subtask, transaction, observations_.records.size(), records.size()};
  observations_.records.insert(observations_.records.end(), records.begin(), records.end());
  observations_.batches.push_back(batch);
  return static_cast<std::uint32_t>(observations_.batches.size() - 1);
}

void ObservationRecorder::on_triggered(CheckpointId id, TimeNs trigger_time_ns) {
  ObservedEvent& event = append(ObservedKind::kCheckpointTriggered);
  event.checkpoint_id = id;
  event.reported_time_ns = trigger_time_ns;
}

void ObservationRecorder::on_completed(const CompletedCheckpoint& checkpoint) {
  ObservedEvent& event = append(ObservedKind::kCheckpointCompleted);
  event.checkpoint_id = checkpoint.id;
  // When the coordinator declared it complete (its metadata durable), on its clock: the
  // moment min-pause counts from. completion_time_ns is stamped earlier, at the last ack.
  event.reported_time_ns = coordinator_clock_ ? coordinator_clock_() : checkpoint.completion_time_ns;
}

void ObservationRecorder::on_aborted(CheckpointId id, CheckpointFailureReason reason) {
  ObservedEvent& event = append(ObservedKind::kCheckpointAborted);
  event.checkpoint_id = id;
  event.reason = reason;
  event.reported_time_ns = coordinator_clock_ ? coordinator_clock_() : now_();
}

void ObservationRecorder::on_subsumed(CheckpointId id) { append(ObservedKind::kCheckpointSubsumed).checkpoint_id = id; }

void ObservationRecorder::on_request_dropped(CheckpointFailureReason reason) {
  append(ObservedKind::kTriggerRequestDropped).reason = reason;
}

void ObservationRecorder::on_coordinator_reset() { append(ObservedKind::kCoordinatorReset); }

void ObservationRecorder::on_snapshot_captured(TaskRef task, CheckpointId id, const OperatorStateView& state) {
  const std::uint32_t view = add_view(state);
  ObservedEvent& event = append(ObservedKind::kSnapshotCaptured);
  event.task = task;
  event.checkpoint_id = id;
  event.view = view;
}

void ObservationRecorder::on_task_restored(TaskRef task, CheckpointId id, const OperatorStateView& state) {
  const std::uint32_t view = add_view(state);
  ObservedEvent& event = append(ObservedKind::kTaskRestored);
  event.task = task;
  event.checkpoint_id = id;
  event.view = view;
}

void ObservationRecorder::on_task_finished(TaskRef task, const OperatorStateView& state) {
  const std::uint32_t view = add_view(state);
  ObservedEvent& event = append(ObservedKind::kTaskFinished);
  event.task = task;
  event.view = view;
}

void ObservationRecorder::on_commit_requested(TaskRef task, CheckpointId id, const std::string& transaction) {
  const std::uint32_t txn = intern_transaction(transaction);
  ObservedEvent& event = append(ObservedKind::kCommitRequested);
  event.task = task;
  event.checkpoint_id = id;
  event.transaction = txn;
}

void ObservationRecorder::on_job_restore(CheckpointId id, std::uint32_t attempt) {
  ObservedEvent& event = append(ObservedKind::kJobRestore);
  event.checkpoint_id = id;
  event.attempt = attempt;
}

void ObservationRecorder::on_job_finished() { append(ObservedKind::kJobFinished); }
void ObservationRecorder::on_job_failed(std::uint32_t failures) {
  append(ObservedKind::kJobFailed).reported_time_ns = static_cast<TimeNs>(failures);
}

void ObservationRecorder::on_store_prepared(std::string txn, std::uint32_t sink_subtask, CheckpointId id,
                                            const std::vector<Record>& records) {
  const std::uint32_t transaction = intern_transaction(std::move(txn));
  TransactionInfo& info = observations_.transactions[transaction];
  if (!info.well_formed) {
    // The store's own account is all there is for a name of another shape.
    info.sink_subtask = sink_subtask;
    info.checkpoint_id = id;
  }
  const std::uint32_t batch = add_batch(info.sink_operator, sink_subtask, transaction, records);
  ObservedEvent& event = append(ObservedKind::kStorePrepared);
  event.transaction = transaction;
  event.checkpoint_id = id;
  event.batch = batch;
}

void ObservationRecorder::on_store_committed(std::string txn) {
  const std::uint32_t transaction = intern_transaction(std::move(txn));
  append(ObservedKind::kStoreCommitted).transaction = transaction;
}

void ObservationRecorder::on_store_commit_repeated(std::string txn) {
  const std::uint32_t transaction = intern_transaction(std::move(txn));
  append(ObservedKind::kStoreCommitRepeated).transaction = transaction;
}

void ObservationRecorder::on_store_aborted(std::string txn) {
  const std::uint32_t transaction = intern_transaction(std::move(txn));
  append(ObservedKind::kStoreAborted).transaction = transaction;
}

void ObservationRecorder::on_store_direct_write(std::string sink_operator, std::uint32_t sink_subtask,
                                                const std::vector<Record>& records) {
  const std::uint32_t sink = intern_sink_operator(sink_operator);
  const std::uint32_t batch = add_batch(sink, sink_subtask, kNoIndex, records);
  append(ObservedKind::kStoreDirectWrite).batch = batch;
}

void ObservationRecorder::on_job_completed_all_input() { append(ObservedKind::kAllInputCompleted); }

void ObservationRecorder::on_fault_phase_ended(TimeNs healed_at_ns) {
  append(ObservedKind::kFaultPhaseEnded).reported_time_ns = healed_at_ns;
}

void ObservationRecorder::on_run_ended() { append(ObservedKind::kRunEnded); }

RunObservations ObservationRecorder::take() {
  RunObservations taken = std::move(observations_);
  observations_ = RunObservations{};
  transaction_index_.clear();
  sink_operator_index_.clear();
  return taken;
}

}  // namespace ckptsim::oracle
