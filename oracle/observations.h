// What a run hands to the oracle, and the recorder that collects it.
//
// RunObservations is a chronological log of everything the runtime, the checkpoint
// coordinator, the external transactional store and the simulator reported, each event
// stamped with the simulated time and the simulator's event index at the moment it was
// reported. Bulky payloads live in side tables (state views, transactions, record
// batches) that events refer to by index, so the log stays flat and cheap to scan.
//
// ObservationRecorder implements both observation interfaces of protocol/ and the store
// and simulator hooks below. It only appends: it never judges, never calls back into the
// runtime, and keeps no state the run could observe.
//
// Transactions are named "<sink operator>/<sink subtask index>/<checkpoint id>", the sink
// subtask index counted within the sink operator (0..parallelism-1). The store applies a
// transaction's records when it reports on_store_committed; it reports
// on_store_commit_repeated (and applies nothing) for a commit of an applied transaction.
// A second on_store_committed for one transaction means the store applied it twice.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/base/time.h"
#include "protocol/checkpoint/checkpoint_task_gateway.h"
#include "protocol/checkpoint/checkpoint_types.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/record.h"

namespace ckptsim::oracle {

inline constexpr std::uint32_t kNoIndex = UINT32_MAX;

enum class ObservedKind : std::uint8_t {
  // Checkpoint coordinator.
  kCheckpointTriggered,    // checkpoint_id; reported_time_ns = trigger time
  kCheckpointCompleted,    // checkpoint_id; reported_time_ns = completion time (coordinator clock)
  kCheckpointAborted,      // checkpoint_id, reason; reported_time_ns = abort time (coordinator clock)
  kCheckpointSubsumed,     // checkpoint_id
  kTriggerRequestDropped,  // reason
  kCoordinatorReset,       // the coordinator object was lost with its pending checkpoints
  // Runtime.
  kSnapshotCaptured,  // task, checkpoint_id, view
  kTaskRestored,      // task, checkpoint_id (kNoCheckpointId: started empty), view
  kTaskFinished,      // task, view
  kCommitRequested,   // task, checkpoint_id, transaction
  kJobRestore,        // checkpoint_id (kNoCheckpointId: from scratch), attempt
  kJobFinished,
  kJobFailed,         // reported_time_ns = failures the restart strategy saw (JobManager's count)
  // External transactional store.
  kStorePrepared,        // transaction, checkpoint_id, batch
  kStoreCommitted,       // transaction: its last prepared batch became visible
  kStoreCommitRepeated,  // transaction: an idempotent repeat, nothing applied
  kStoreAborted,         // transaction
  kStoreDirectWrite,     // batch: visible at once (at-least-once sink)
  // Simulator.
  kAllInputCompleted,  // the job consumed and committed all its input
  kFaultPhaseEnded,    // reported_time_ns = when the last fault healed
  kRunEnded,
};

const char* observed_kind_name(ObservedKind kind);

struct ObservedEvent {
  ObservedKind kind = ObservedKind::kRunEnded;
  CheckpointFailureReason reason = CheckpointFailureReason::kCheckpointDeclined;  // aborts, drops
  TimeNs time_ns = 0;               // simulated time when reported
  std::uint64_t event_index = 0;    // simulator's event index when reported
  CheckpointId checkpoint_id = kNoCheckpointId;
  TimeNs reported_time_ns = 0;      // see ObservedKind
  TaskRef task;
  std::uint32_t attempt = 0;
  std::uint32_t view = kNoIndex;         // into RunObservations::views
  std::uint32_t transaction = kNoIndex;  // into RunObservations::transactions
  std::uint32_t batch = kNoIndex;        // into RunObservations::batches
};

// "<sink operator>/<subtask>/<checkpoint id>", split from the right so that operator
// names may contain '/'. nullopt when the name has another shape.
struct TransactionName {
  std::string sink_operator;
  std::uint32_t sink_subtask = 0;
  CheckpointId checkpoint_id = kNoCheckpointId;
};
std::optional<TransactionName> parse_transaction_name(std::string_view name);
std::string make_transaction_name(std::string_view sink_operator, std::uint32_t sink_subtask, CheckpointId id);

struct TransactionInfo {
  std::string name;
  bool well_formed = false;          // the name parsed
  std::uint32_t sink_operator = kNoIndex;  // into RunObservations::sink_operator_names
  std::uint32_t sink_subtask = 0;
  CheckpointId checkpoint_id = kNoCheckpointId;
};

// Records written together: one prepare of a transaction, or one direct write.
struct RecordBatch {
  std::uint32_t sink_operator = kNoIndex;  // into RunObservations::sink_operator_names
  std::uint32_t sink_subtask = 0;
  std::uint32_t transaction = kNoIndex;    // kNoIndex for a direct write
  std::uint64_t begin = 0;                 // into RunObservations::records
  std::uint64_t count = 0;
};

struct RunObservations {
  std::vector<ObservedEvent> events;  // in the order reported
  std::vector<OperatorStateView> views;
  std::vector<TransactionInfo> transactions;
  std::vector<RecordBatch> batches;
  std::vector<Record> records;
  std::vector<std::string> sink_operator_names;  // "" stands for an unparsable txn name

  std::span<const Record> batch_records(std::uint32_t batch) const;
};

class ObservationRecorder final : public RuntimeObserver, public CheckpointCoordinatorListener {
 public:
  ObservationRecorder(std::function<TimeNs()> now, std::function<std::uint64_t()> event_index);

  // CheckpointCoordinatorListener.
  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override;
  void on_completed(const CompletedCheckpoint& checkpoint) override;
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override;
  void on_subsumed(CheckpointId id) override;
  void on_request_dropped(CheckpointFailureReason reason) override;
  // The coordinator was destroyed (JobManager crash): its pending checkpoints end unreported.
  void on_coordinator_reset();
  // The clock of the process that runs the coordinator. Aborts are stamped with it
  // (reported_time_ns), as completions and triggers are by the coordinator itself, so
  // protocol.min_pause compares times of one clock — the coordinator's, which is what
  // Flink measures min-pause with — even when that clock is skewed or drifts. Without
  // one, aborts are stamped with the true time.
  void set_coordinator_clock(std::function<TimeNs()> clock) { coordinator_clock_ = std::move(clock); }

  // RuntimeObserver.
  void on_snapshot_captured(TaskRef task, CheckpointId id, const OperatorStateView& state) override;
  void on_task_restored(TaskRef task, CheckpointId id, const OperatorStateView& state) override;
  void on_task_finished(TaskRef task, const OperatorStateView& state) override;
  void on_commit_requested(TaskRef task, CheckpointId id, const std::string& transaction) override;
  void on_job_restore(CheckpointId id, std::uint32_t attempt) override;
  void on_job_finished() override;
  void on_job_failed(std::uint32_t failures) override;

  // External transactional store.
  // Capacity hint: about how many records the sinks will write (avoids regrowth copies).
  void reserve_records(std::size_t count) { observations_.records.reserve(count); }
  void on_store_prepared(std::string txn, std::uint32_t sink_subtask, CheckpointId id,
                         const std::vector<Record>& records);
  void on_store_committed(std::string txn);
  void on_store_commit_repeated(std::string txn);
  void on_store_aborted(std::string txn);
  void on_store_direct_write(std::string sink_operator, std::uint32_t sink_subtask,
                             const std::vector<Record>& records);

  // Simulator.
  void on_job_completed_all_input();
  void on_fault_phase_ended(TimeNs healed_at_ns);
  void on_run_ended();

  const RunObservations& observations() const { return observations_; }
  // Moves the observations out; the recorder is empty afterwards.
  RunObservations take();

 private:
  ObservedEvent& append(ObservedKind kind);
  std::uint32_t intern_transaction(std::string name);
  std::uint32_t intern_sink_operator(std::string_view name);
  std::uint32_t add_view(const OperatorStateView& view);
  std::uint32_t add_batch(std::uint32_t sink_operator, std::uint32_t sink_subtask, std::uint32_t transaction,
                          const std::vector<Record>& records);

  std::function<TimeNs()> now_;
  std::function<TimeNs()> coordinator_clock_;   // empty: now_
  std::function<std::uint64_t()> event_index_;
  RunObservations observations_;
  std::unordered_map<std::string, std::uint32_t> transaction_index_;
  std::unordered_map<std::string, std::uint32_t> sink_operator_index_;
};

}  // namespace ckptsim::oracle
