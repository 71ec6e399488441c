// Sinks: the end of the pipeline, writing to the external transactional store over RPC.
//
// TwoPhaseCommitSink (exactly-once, Flink's TwoPhaseCommitSinkFunction):
//  * records collect in the current transaction;
//  * at the barrier of checkpoint n (snapshot): pre-commit — the current transaction is
//    sent to the store as prepared under the name "<sink>/<subtask>/<n>" and a
//    new one begins; the snapshot holds every pre-committed, not yet committed
//    transaction; the checkpoint is acknowledged only after the store confirmed the
//    prepare of its own and of every earlier pending transaction (checkpoint_ready);
//  * on notify-complete(n): commit every pending transaction of checkpoints <= n
//    (subsuming contract), strictly one after the other in checkpoint order;
//  * on restore from checkpoint r: recover-and-commit the restored pending transactions
//    (they belong to completed checkpoints), and abort lingering transactions of
//    earlier epochs that are not among them (prepared for checkpoints that never
//    completed). Commits are idempotent at the store.
// AtLeastOnceSink: writes batches directly; a checkpoint waits until every write sent
// before its barrier is acknowledged, so nothing before a completed checkpoint is lost.
//
// Every request is retried until acknowledged, at most kMaxAttempts times; then the sink
// reports failure (the task fails and the job recovers).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"
#include "protocol/env/clock.h"
#include "protocol/env/coverage.h"
#include "protocol/env/transport.h"
#include "protocol/runtime/messages.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/record.h"

namespace ckptsim {

struct SinkContext {
  RpcTransport& rpc;
  const Clock& clock;
  ProcessId store = kNoProcess;
  TaskRef task;
  std::uint64_t epoch = 0;
  std::string sink_name;
  std::uint32_t subtask_index = 0;    // within the sink operator
  RuntimeObserver* observer = nullptr;
  CoverageSink* coverage = nullptr;
};

class SinkWriter {
 public:
  static constexpr std::uint32_t kMaxAttempts = 100;
  static constexpr DurationNs kRetryAfterNs = 200 * kMillisecond;

  virtual ~SinkWriter() = default;
  virtual void write(const Record& record) = 0;
  virtual Result<Bytes> snapshot(CheckpointId id) = 0;
  virtual bool checkpoint_ready(CheckpointId id) const = 0;
  virtual void notify_checkpoint_complete(CheckpointId id) = 0;
  virtual Status restore(CheckpointId restored_id, const std::vector<Bytes>& snapshots) = 0;
  virtual void on_store_reply(MessageType type, const StoreReply& reply) = 0;
  // Resends overdue requests; kUnavailable once a request exhausted its attempts.
  virtual Status retry_overdue() = 0;
  virtual void flush() = 0;                      // buffer timeout / end of input
  virtual bool has_outstanding_requests() const = 0;
  virtual bool finished_ready() const = 0;       // nothing buffered, nothing unacknowledged
  virtual void fill_view(OperatorStateView& view) const = 0;
};

class TwoPhaseCommitSink final : public SinkWriter {
 public:
  explicit TwoPhaseCommitSink(SinkContext context);
  void write(const Record& record) override { record_codec::append(current_, record); }
  Result<Bytes> snapshot(CheckpointId id) override;
  bool checkpoint_ready(CheckpointId id) const override;
  void notify_checkpoint_complete(CheckpointId id) override;
  Status restore(CheckpointId restored_id, const std::vector<Bytes>& snapshots) override;
  void on_store_reply(MessageType type, const StoreReply& reply) override;
  Status retry_overdue() override;
  void flush() override {}
  bool has_outstanding_requests() const override;
  // Every transaction with records is committed. An empty one may stay prepared forever:
  // committing it would change nothing, and it may belong to a checkpoint that can never
  // complete (one triggered before end of input that a finished source declined).
  bool finished_ready() const override;
  void fill_view(OperatorStateView& view) const override;

 private:
  struct Pending {
    std::string name;
    std::vector<std::uint8_t> records;   // kept until the prepare is acknowledged
    bool has_records = true;             // unknown (so true) for a restored transaction
    bool prepared = false;
    bool commit_sent = false;
    TimeNs last_sent_ns = 0;
    std::uint32_t attempts = 0;
  };
  void send_prepare(CheckpointId id, Pending& pending);
  void send_next_commit();
  std::string transaction_name(CheckpointId id) const;

  SinkContext context_;
  std::vector<std::uint8_t> current_;
  std::map<CheckpointId, Pending> pending_;     // ordered: commits go in checkpoint order
  CheckpointId committable_up_to_ = kNoCheckpointId;
  CheckpointId commit_in_flight_ = kNoCheckpointId;
  bool abort_in_flight_ = false;
  StoreRequest abort_request_;
  TimeNs abort_sent_ns_ = 0;
  std::uint32_t abort_attempts_ = 0;
};

class AtLeastOnceSink final : public SinkWriter {
 public:
  static constexpr std::size_t kBatchRecords = 512;
  explicit AtLeastOnceSink(SinkContext context);
  void write(const Record& record) override;
  Result<Bytes> snapshot(CheckpointId id) override;
  bool checkpoint_ready(CheckpointId id) const override;
  void notify_checkpoint_complete(CheckpointId id) override;
  Status restore(CheckpointId, const std::vector<Bytes>&) override { return Status::ok(); }
  void on_store_reply(MessageType type, const StoreReply& reply) override;
  Status retry_overdue() override;
  void flush() override;
  bool has_outstanding_requests() const override { return !in_flight_.empty(); }
  bool finished_ready() const override { return batch_.empty() && in_flight_.empty(); }
  void fill_view(OperatorStateView&) const override {}

 private:
  struct InFlight {
    std::vector<std::uint8_t> records;
    TimeNs last_sent_ns = 0;
    std::uint32_t attempts = 0;
  };
  void send(std::uint64_t id, InFlight& write);

  SinkContext context_;
  std::vector<std::uint8_t> batch_;
  std::map<std::uint64_t, InFlight> in_flight_;
  std::uint64_t next_write_id_ = 1;
  std::map<CheckpointId, std::uint64_t> barrier_write_id_;   // writes below this id precede the barrier
};

}  // namespace ckptsim
