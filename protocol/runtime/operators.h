// The per-record logic of the non-source, non-sink operators, with their state.
// Semantics are specified in job_spec.h; the oracle re-implements them independently.
//
// Contract shared by all operators:
//  * process() handles one record and emits zero or more records to the output gate.
//  * snapshot() returns this operator's state as bytes (a copy: later records do not
//    change it); restore() accepts exactly what snapshot() produced (rejecting corrupt
//    bytes with kCorruption); view() reports the logical state for the oracle.
#pragma once

#include <memory>

#include "protocol/base/status.h"
#include "protocol/env/blob_store.h"
#include "protocol/runtime/job_spec.h"
#include "protocol/runtime/observer.h"
#include "protocol/runtime/output_gate.h"
#include "protocol/state/keyed_state_backend.h"

namespace ckptsim {

class StreamOperator {
 public:
  virtual ~StreamOperator() = default;
  virtual void process(const Record& record, OutputGate& out) = 0;
  virtual Result<Bytes> snapshot() = 0;
  virtual Status restore(const std::vector<Bytes>& snapshots) = 0;
  virtual void fill_view(OperatorStateView& view) const = 0;
  // The keyed state backend, if the operator's whole state lives in it (then a task may
  // checkpoint the backend incrementally instead of calling snapshot()); else null.
  virtual KeyedStateBackend* keyed_state_backend() { return nullptr; }
};

// map and filter: no state.
class StatelessOperator final : public StreamOperator {
 public:
  StatelessOperator(OperatorKind kind, const OperatorParams& params);
  void process(const Record& record, OutputGate& out) override;
  Result<Bytes> snapshot() override { return Bytes{}; }
  Status restore(const std::vector<Bytes>&) override { return Status::ok(); }
  void fill_view(OperatorStateView&) const override {}

 private:
  OperatorKind kind_;
  OperatorParams params_;
};

// Keyed aggregation: key -> (count, sum) in the keyed state backend.
class KeyedAggregateOperator final : public StreamOperator {
 public:
  explicit KeyedAggregateOperator(std::unique_ptr<KeyedStateBackend> backend);
  void process(const Record& record, OutputGate& out) override;
  Result<Bytes> snapshot() override { return backend_->snapshot(); }
  Status restore(const std::vector<Bytes>& snapshots) override { return backend_->restore(snapshots); }
  KeyedStateBackend* keyed_state_backend() override { return backend_.get(); }
  void fill_view(OperatorStateView& view) const override;

 private:
  std::unique_ptr<KeyedStateBackend> backend_;
};

// Per (key, partition), offsets must strictly increase; breaks are counted.
// State: keyed (key, name_space = partition) -> next expected offset; plus the count.
class SequenceCheckerOperator final : public StreamOperator {
 public:
  explicit SequenceCheckerOperator(std::unique_ptr<KeyedStateBackend> backend);
  void process(const Record& record, OutputGate& out) override;
  Result<Bytes> snapshot() override;
  Status restore(const std::vector<Bytes>& snapshots) override;
  void fill_view(OperatorStateView& view) const override { view.sequence_violations = violations_; }

 private:
  std::unique_ptr<KeyedStateBackend> backend_;
  std::uint64_t violations_ = 0;
};

}  // namespace ckptsim
