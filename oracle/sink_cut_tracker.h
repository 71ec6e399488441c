// SinkCutTracker: what a two-phase-commit sink subtask's snapshot stands for in the
// external store. Restoring a checkpoint keeps every transaction already committed (or
// whose commit was already requested) and commits the snapshot's pending transactions, so
// the sink's part of a cut is
//   committed-or-requested transactions of that subtask before its snapshot
//   + the snapshot's pending transactions,
// each transaction counted once with the records of its (last) prepare.
//
// The tracker is fed the run's events in order and keeps running digests per sink subtask,
// so every snapshot is summarised in time proportional to its pending list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "oracle/job_topology.h"
#include "oracle/observations.h"
#include "oracle/reference_execution.h"

namespace ckptsim::oracle {

struct SinkCutPart {
  std::uint64_t digest = 0;  // wrapping sum of identity_hash
  std::uint64_t count = 0;
  std::optional<std::string> unknown_pending;  // a pending transaction the store never prepared
};

class SinkCutTracker {
 public:
  SinkCutTracker(const JobTopology& topology, const RunObservations& observations);

  // Feed every event, in order, before summarising snapshots that follow it.
  void observe(const ObservedEvent& event);
  // The sink part of a snapshot of sink subtask `dense` (JobTopology numbering).
  SinkCutPart summarise(std::uint32_t dense, const OperatorStateView& view) const;
  // The records the sink part of the snapshot at event position `capture` stands for
  // (slow: re-walks the log; for explanations only).
  std::vector<Record> records_of(std::uint32_t capture_position) const;

 private:
  // The dense sink subtask a transaction belongs to, or kNoIndex.
  std::uint32_t dense_of(std::uint32_t transaction) const;
  std::optional<std::uint32_t> transaction_named(std::string_view name) const;

  const JobTopology& topology_;
  const RunObservations& observations_;
  std::vector<OperatorIndex> sink_of_name_;       // by sink_operator_names index
  std::vector<std::uint32_t> last_batch_;         // by transaction: last prepared batch
  std::vector<std::uint64_t> transaction_digest_;  // by transaction
  std::vector<std::uint64_t> transaction_count_;   // by transaction
  std::vector<bool> committed_;                    // by transaction: committed or requested so far
  std::vector<std::uint64_t> committed_digest_;    // by dense subtask
  std::vector<std::uint64_t> committed_count_;     // by dense subtask
  std::unordered_map<std::string_view, std::uint32_t> by_name_;  // never iterated
};

}  // namespace ckptsim::oracle
